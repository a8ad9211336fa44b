pub fn keep<T: 'static>(_value: T) {}

pub fn store(name: &String) {
    keep(name);
}
