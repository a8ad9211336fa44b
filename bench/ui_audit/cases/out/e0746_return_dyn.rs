pub trait T {}

impl T for u8 {}

pub fn make() -> dyn T {
    1u8
}
