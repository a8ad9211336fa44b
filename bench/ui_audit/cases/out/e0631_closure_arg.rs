pub fn apply<F: Fn(u8) -> u8>(f: F) -> u8 {
    f(1)
}

pub fn run() -> u8 {
    apply(|x: &u8| *x)
}
