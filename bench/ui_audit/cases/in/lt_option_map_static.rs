pub fn name<'a>(input: Option<&'a str>) -> Option<&'static str> {
    input.map(|s| s)
}
