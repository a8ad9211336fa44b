pub trait Put {
    fn put(&mut self, x: u8);
}

pub struct S;

impl Put for S {
    fn put(&self, _x: u8) {}
}
