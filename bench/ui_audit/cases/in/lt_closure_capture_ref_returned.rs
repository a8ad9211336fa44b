pub fn run(list: &mut Vec<u8>) {
    let mut last = || list.last_mut();
    let _ = last();
}
