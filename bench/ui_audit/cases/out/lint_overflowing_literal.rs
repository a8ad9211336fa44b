pub fn run() -> u8 {
    let v: u8 = 300;
    v
}
