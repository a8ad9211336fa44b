pub fn compute() -> u8 {
    3
}

pub const N: u8 = compute();
