pub fn greeting(name: &str) -> String {
    let text = format!("hello, {name}");
    text
}
