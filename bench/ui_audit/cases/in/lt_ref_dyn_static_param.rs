pub trait Hook {
    fn fire(&self);
}

pub fn register(_hook: &'static dyn Hook) {}

pub fn attach<'h>(hook: &'h dyn Hook) {
    register(hook);
}
