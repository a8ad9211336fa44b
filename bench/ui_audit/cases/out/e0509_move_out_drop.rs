pub struct D {
    s: String,
}

impl Drop for D {
    fn drop(&mut self) {}
}

pub fn run(d: D) -> String {
    d.s
}
