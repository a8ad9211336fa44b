pub struct Slot<'a> {
    pub cell: std::cell::Cell<&'a u8>,
}

pub fn narrow<'long: 'short, 'short>(s: Slot<'long>) -> Slot<'short> {
    s
}
