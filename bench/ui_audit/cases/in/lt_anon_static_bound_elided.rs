pub fn keep<T: 'static>(_value: T) {}

pub fn store(name: &str) {
    keep(name);
}
