pub fn head<'a>(items: &'a [String]) -> usize {
    let first: &'static String = &items[0];
    first.len()
}
