pub fn name() -> String {
    "static text"
}
