pub fn run(x: &u8) {
    *x = 3;
}
