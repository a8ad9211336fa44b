pub fn run(v: Vec<u8>) -> usize {
    v.length()
}
