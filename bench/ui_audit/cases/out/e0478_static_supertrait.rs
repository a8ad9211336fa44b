pub trait Plugin: 'static {}

pub struct Wrap<'a>(&'a u8);

impl<'a> Plugin for Wrap<'a> {}
