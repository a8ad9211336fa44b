pub fn run(x: &'a u8) -> &'a u8 {
    x
}
