pub struct Parser {
    input: &str,
}
