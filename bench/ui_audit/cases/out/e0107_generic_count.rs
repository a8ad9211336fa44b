pub struct W<T>(pub T);

pub fn run(_w: W<u8, u8>) {}
