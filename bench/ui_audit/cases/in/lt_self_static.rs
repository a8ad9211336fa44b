pub struct Holder {
    value: u8,
}

impl Holder {
    pub fn get(&self) -> &'static u8 {
        &self.value
    }
}
