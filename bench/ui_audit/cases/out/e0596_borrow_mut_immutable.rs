pub fn run() {
    let v = Vec::new();
    v.push(1u8);
}
