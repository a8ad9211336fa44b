pub fn keep<T: 'static>(_value: T) {}

pub fn store<'a>(name: &'a str) {
    keep(name);
}
