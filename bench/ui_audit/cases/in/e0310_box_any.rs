use std::any::Any;

pub fn boxed<T>(value: T) -> Box<dyn Any> {
    Box::new(value)
}
