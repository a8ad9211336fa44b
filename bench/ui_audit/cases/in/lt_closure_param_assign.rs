pub fn run() {
    let mut store = |slot: &mut &u32, value: &u32| *slot = value;
    let a = 1;
    let b = 2;
    let mut r = &a;
    store(&mut r, &b);
}
