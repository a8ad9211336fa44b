pub fn run(s: &str) {
    let owned: str = *s;
    let _ = owned.len();
}
