pub fn archive(title: String) -> usize {
    let prefix = &title[..3];
    let shelf = vec![title.clone()];
    prefix.len() + shelf.len()
}
