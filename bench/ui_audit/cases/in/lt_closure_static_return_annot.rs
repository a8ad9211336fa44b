pub fn run() {
    let up = |s: &str| -> &'static str { s };
    let _ = up("x");
}
