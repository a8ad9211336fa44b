pub trait Shape {}

pub fn need<T: Shape + 'static>(_t: T) {}

pub fn run(x: u8) {
    need(x);
}
