use std::any::Any;

pub fn erase<'a>(value: &'a u32) -> &'a dyn Any {
    value
}
