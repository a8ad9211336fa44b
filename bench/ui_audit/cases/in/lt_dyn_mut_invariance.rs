pub trait Sink {
    fn put(&mut self, b: u8);
}

pub fn forward<'a>(s: &mut (dyn Sink + 'a)) {
    let _all: &mut (dyn Sink + 'static) = s;
}
