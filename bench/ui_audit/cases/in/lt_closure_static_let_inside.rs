pub fn run<'a>(items: &'a [u8]) {
    let f = |i: usize| {
        let held: &'static u8 = &items[i];
        *held
    };
    let _ = f(0);
}
