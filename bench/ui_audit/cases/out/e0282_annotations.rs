pub fn run() {
    let v = Vec::new();
    let _ = v.len();
}
