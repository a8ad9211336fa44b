use std::fmt::Debug;

pub fn boxed<T: Debug>(value: T) -> Box<dyn Debug> {
    Box::new(value)
}
