pub fn run() {
    let mut list: Vec<u8> = Vec::new();
    let _outer = || {
        || list.push(1)
    };
}
