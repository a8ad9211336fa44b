pub fn run(items: &mut Vec<String>) {
    let mut grab = || {
        let inner = || items.len();
        inner
    };
    let _ = grab();
}
