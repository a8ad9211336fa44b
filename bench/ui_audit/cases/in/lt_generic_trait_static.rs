pub trait Handler {
    fn handle(&self);
}

impl<T: std::fmt::Debug> Handler for T {
    fn handle(&self) {}
}

pub fn register(_h: Box<dyn Handler>) {}

pub fn add<'x>(value: &'x u8) {
    register(Box::new(value) as Box<dyn Handler>);
}
