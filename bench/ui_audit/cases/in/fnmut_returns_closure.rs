pub fn run() {
    let mut total = 0u32;
    let mut make = || {
        move || total += 1
    };
    let _ = make();
    let mut log = Vec::new();
    let mut again = || || log.push(1u8);
    let _ = again();
}
