pub fn run() -> u8 {
    let x = 1;
    x = 2;
    x
}
