pub struct Wrapper<'w> {
    pub inner: &'w u32,
}

pub fn wrap<'a>(value: &'a u32) -> u32 {
    let w = Wrapper::<'static> { inner: value };
    *w.inner
}
