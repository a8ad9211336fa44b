pub trait Job {}

impl<T> Job for T {}

pub fn boxed<T>(item: T, _scope: &()) -> Box<dyn Job + '_> {
    Box::new(item)
}
