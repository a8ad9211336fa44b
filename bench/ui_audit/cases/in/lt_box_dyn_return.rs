pub fn counter<'a>(base: &'a u64) -> Box<dyn Fn() -> u64> {
    Box::new(move || *base + 1)
}
