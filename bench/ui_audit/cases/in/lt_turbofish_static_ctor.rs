pub struct Wrapper<'w> {
    pub inner: &'w u32,
}

impl<'w> Wrapper<'w> {
    pub fn new(inner: &'w u32) -> Self {
        Wrapper { inner }
    }
}

pub fn wrap<'a>(value: &'a u32) -> u32 {
    let w = Wrapper::<'static>::new(value);
    *w.inner
}
