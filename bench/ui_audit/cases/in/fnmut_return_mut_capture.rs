pub fn run() {
    let mut counter = 0u32;
    let mut bump = || &mut counter;
    let _ = bump();
}
