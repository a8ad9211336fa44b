pub fn run(n: u32) {
    for _ in n {}
}
