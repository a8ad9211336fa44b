pub fn apply<F: Fn(&str) -> usize>(f: F) -> usize {
    f("a")
}

pub fn run() -> usize {
    apply(|s: String| s.len())
}
