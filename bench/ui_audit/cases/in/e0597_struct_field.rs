pub struct Holder<'a> {
    pub part: &'a str,
}

pub fn run() -> usize {
    let h;
    {
        let s = String::from("abc");
        h = Holder { part: &s };
    }
    h.part.len()
}
