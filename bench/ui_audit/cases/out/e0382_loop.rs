pub fn take(_v: Vec<u8>) {}

pub fn run() {
    let v = vec![1];
    for _ in 0..2 {
        take(v);
    }
}
