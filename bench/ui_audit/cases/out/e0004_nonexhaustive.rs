pub enum E {
    A,
    B,
}

pub fn run(e: E) -> u8 {
    match e {
        E::A => 1,
    }
}
