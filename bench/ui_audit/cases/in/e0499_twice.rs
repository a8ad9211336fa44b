pub fn run() {
    let mut v = vec![1];
    let a = &mut v;
    let b = &mut v;
    a.push(1);
    b.push(2);
}
