pub fn run() -> u8 {
    let x: u8;
    x
}
