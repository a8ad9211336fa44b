pub trait Mark {}

impl<T> Mark for T {}

impl Mark for u8 {}
