pub struct Callback<'a> {
    pub f: fn(&'a u8),
}

pub fn widen<'short, 'long: 'short>(c: Callback<'long>) -> Callback<'short> {
    c
}
