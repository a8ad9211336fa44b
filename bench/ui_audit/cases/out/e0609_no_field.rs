pub struct P {
    pub x: u8,
}

pub fn run(p: P) -> u8 {
    p.z
}
