pub trait Get<'a> {
    fn get<'b: 'a>(&self, x: &'b u8) -> &'a u8;
}

pub struct S;

impl<'a> Get<'a> for S {
    fn get<'b>(&self, x: &'b u8) -> &'a u8 {
        let _ = x;
        &0
    }
}
