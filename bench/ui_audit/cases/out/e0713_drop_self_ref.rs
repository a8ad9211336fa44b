pub struct Guard<'a> {
    s: &'a mut String,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {}
}

pub fn inner<'a>(g: Guard<'a>) -> &'a mut String {
    &mut *g.s
}
