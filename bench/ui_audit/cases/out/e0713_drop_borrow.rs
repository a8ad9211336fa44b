pub struct Wrap<'a>(&'a mut String);

impl Drop for Wrap<'_> {
    fn drop(&mut self) {}
}

pub fn run<'a>(w: Wrap<'a>) -> &'a mut String {
    w.0
}
