pub fn run() {
    let s = String::new();
    let f = move || s.len();
    let g = move || s.len();
    let _ = (f, g);
}
