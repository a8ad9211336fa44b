pub fn run() {
    let same = |x: &i32| x;
    let n = 4;
    let _ = same(&n);
}
