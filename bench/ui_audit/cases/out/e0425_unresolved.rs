pub fn run() -> u32 {
    lifetime_value + 1
}
