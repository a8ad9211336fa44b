pub fn make() -> &str {
    "x"
}
