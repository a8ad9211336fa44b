pub fn adder(base: &u32) -> impl Fn(u32) -> u32 + 'static {
    move |x| x + *base
}
