pub fn run() {
    let x = ;
}
