pub fn run() {
    let local = 7u8;
    let r: &'static u8 = &local;
    let _ = r;
}
