pub struct Cursor<'a> {
    data: &'a [u8],
    scratch: Vec<u8>,
}

impl<'a> Cursor<'a> {
    pub fn current(&self) -> &'a [u8] {
        if self.data.is_empty() { &self.scratch } else { self.data }
    }
}
