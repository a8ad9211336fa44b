pub fn run(s: &str) -> u32 {
    s as u32
}
