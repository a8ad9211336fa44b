pub struct S;

impl<'a> S {
    pub fn new() -> Self {
        S
    }
}

pub trait T {
    fn f(&self);
}

impl<'a, X> T for S {
    fn f(&self) {}
}
