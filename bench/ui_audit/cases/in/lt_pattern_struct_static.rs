pub struct Wrapper<'w> {
    pub inner: &'w u32,
}

pub fn unwrap<'a>(w: Wrapper<'a>) -> u32 {
    let Wrapper { inner }: Wrapper<'static> = w;
    *inner
}
