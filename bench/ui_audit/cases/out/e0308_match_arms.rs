pub fn run(b: bool) -> u8 {
    match b {
        true => 1,
        false => "zero",
    }
}
