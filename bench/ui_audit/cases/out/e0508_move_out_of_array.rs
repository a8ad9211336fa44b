pub fn run() -> String {
    let a = [String::new()];
    let b = &a;
    let _ = b;
    a[0]
}
