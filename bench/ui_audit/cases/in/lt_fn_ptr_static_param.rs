pub fn apply<'a>(value: &'a u32, f: fn(&'static u32) -> u32) -> u32 {
    f(value)
}
