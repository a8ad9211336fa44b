pub type Thunk<T> = Box<dyn Fn() -> T + 'static>;

pub fn defer(value: &u64) -> Thunk<u64> {
    Box::new(move || *value)
}
