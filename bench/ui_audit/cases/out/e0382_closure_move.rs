pub fn run() {
    let data = vec![1];
    let f = move || data.len();
    println!("{}", data.len());
    f();
}
