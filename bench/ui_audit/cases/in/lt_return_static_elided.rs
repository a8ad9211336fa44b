pub fn first(items: &[String]) -> &'static String {
    &items[0]
}
