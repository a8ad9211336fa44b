pub fn run(v: &mut Vec<u32>) {
    for x in v.iter() {
        v.push(*x);
    }
}
