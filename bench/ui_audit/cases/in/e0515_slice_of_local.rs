pub fn run() -> &'static [u8] {
    let v = vec![1u8];
    v.as_slice()
}
