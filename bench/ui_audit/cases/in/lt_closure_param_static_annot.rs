pub fn run<'a>(value: &'a u32) -> u32 {
    let take = |v: &'static u32| *v;
    take(value)
}
