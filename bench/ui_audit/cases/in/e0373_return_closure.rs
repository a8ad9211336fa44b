pub fn adder() -> impl Fn(u32) -> u32 {
    let base = 10;
    |x| x + base
}
