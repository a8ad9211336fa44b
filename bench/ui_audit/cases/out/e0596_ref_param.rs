pub fn run(v: &Vec<u8>) {
    v.push(1);
}
