pub fn run() -> usize {
    let pick = |list: &Vec<u8>| &list[0];
    let data = vec![1, 2, 3];
    *pick(&data) as usize
}
