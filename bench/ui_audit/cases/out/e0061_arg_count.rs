pub fn add(a: u8, b: u8) -> u8 {
    a + b
}

pub fn run() -> u8 {
    add(1)
}
