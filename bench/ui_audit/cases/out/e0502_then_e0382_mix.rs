pub fn run() {
    let s = String::new();
    drop(s);
    let _n = s.len();
}
