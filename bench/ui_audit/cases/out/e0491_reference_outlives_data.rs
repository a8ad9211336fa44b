pub struct Pair<'a, 'b> {
    pub inner: &'a &'b u8,
}

pub trait Make<'a, 'b> {
    type Out;
}

impl<'a, 'b> Make<'a, 'b> for () {
    type Out = &'a &'b u8;
}
