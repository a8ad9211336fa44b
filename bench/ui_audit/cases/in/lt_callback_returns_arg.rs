pub fn with_value<R>(f: impl FnOnce(&u8) -> R) -> R {
    f(&3)
}

pub fn run() -> u8 {
    let r = with_value(|v| v);
    *r
}
