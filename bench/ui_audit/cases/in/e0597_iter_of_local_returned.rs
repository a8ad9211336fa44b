pub fn run() -> impl Iterator<Item = u8> {
    let v = vec![1u8];
    v.iter().copied()
}
