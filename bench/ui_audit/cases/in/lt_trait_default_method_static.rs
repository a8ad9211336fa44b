pub trait Source {
    fn data(&self) -> &[u8];
    fn leak(&self) -> &'static [u8] {
        self.data()
    }
}
