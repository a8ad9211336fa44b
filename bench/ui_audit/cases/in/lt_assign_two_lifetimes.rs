pub fn set<'a, 'b>(slot: &'a mut &'b u8, value: &'a u8) {
    *slot = value;
}
