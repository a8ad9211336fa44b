pub fn call<F: Fn(&u8) -> u8>(f: F) -> u8 {
    f(&1)
}

pub fn run() -> u8 {
    call(5u8)
}
