pub trait Read {
    fn read<'a>(&self, buf: &'a [u8]) -> &'a [u8];
}

pub struct R;

impl Read for R {
    fn read<'a>(&'a self, buf: &[u8]) -> &'a [u8] {
        let _ = buf;
        &[]
    }
}
