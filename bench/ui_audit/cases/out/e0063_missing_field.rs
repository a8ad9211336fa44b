pub struct P {
    pub x: u8,
    pub y: u8,
}

pub fn run() -> P {
    P { x: 1 }
}
