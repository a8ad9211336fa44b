pub struct Holder<T> {
    pub item: &'static T,
}
