pub struct Store;

impl Store {
    pub fn keep<'k>(&self, item: &'k str) -> &'k str {
        item
    }
}

pub fn run<'a>(s: &Store, item: &'a str) -> usize {
    let kept = s.keep::<'static>(item);
    kept.len()
}
