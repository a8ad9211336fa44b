pub trait Job {}

impl<T> Job for T {}

pub fn boxed<'a, T>(item: T) -> Box<dyn Job + 'a> {
    Box::new(item)
}
