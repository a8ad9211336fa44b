pub fn visit(data: &'static mut u32) {
    let _again = || visit(data);
}
