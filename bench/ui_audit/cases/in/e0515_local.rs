pub fn make() -> &'static str {
    let s = String::from("tmp");
    &s
}
