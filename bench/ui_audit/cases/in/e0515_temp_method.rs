pub fn make(n: u32) -> &'static str {
    n.to_string().as_str()
}
