pub fn run(items: &mut Vec<u8>) {
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(&mut *items);
    }
}
