pub fn run() {
    let x = 3;
    x();
}
