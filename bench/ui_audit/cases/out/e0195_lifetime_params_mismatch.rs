pub trait Get {
    fn get<'a>(&self, x: &'a u8) -> &'a u8;
}

pub struct S;

impl Get for S {
    fn get<'a, 'b>(&self, x: &'a u8) -> &'a u8 {
        x
    }
}
