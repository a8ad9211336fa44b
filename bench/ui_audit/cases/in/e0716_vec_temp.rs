pub fn run() -> usize {
    let v: &Vec<u8> = &vec![1].clone();
    let w = &mut Vec::<u8>::new();
    let first = vec![1u8, 2].iter();
    let _ = (v, w);
    first.count()
}
