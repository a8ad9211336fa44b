pub struct Windows {
    buf: Vec<u8>,
    pos: usize,
}

impl Iterator for Windows {
    type Item = &'static [u8];

    fn next(&mut self) -> Option<Self::Item> {
        self.pos += 1;
        self.buf.get(..self.pos)
    }
}
