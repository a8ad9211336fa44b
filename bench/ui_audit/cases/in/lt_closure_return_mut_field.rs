pub struct Pair {
    pub left: u32,
}

pub fn run(p: &mut Pair) -> u32 {
    let left = |x: &mut Pair| &mut x.left;
    *left(p) += 1;
    p.left
}
