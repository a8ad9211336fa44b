pub struct V;

pub fn run(a: V, b: V) {
    let _ = a + b;
}
