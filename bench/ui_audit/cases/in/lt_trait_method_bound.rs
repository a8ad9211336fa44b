pub trait Store<'a> {
    fn put(&mut self, item: &'a str);
}

pub fn fill<'a, 'b, S: Store<'a>>(store: &mut S, item: &'b str) {
    store.put(item);
}
