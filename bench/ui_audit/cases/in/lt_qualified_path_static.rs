pub struct Holder<'h>(&'h [u8]);

impl<'h> Holder<'h> {
    pub fn hold(bytes: &'h [u8]) -> Self {
        Holder(bytes)
    }
}

pub fn first<'b>(bytes: &'b [u8]) -> Option<u8> {
    let held = <Holder<'static>>::hold(bytes);
    held.0.first().copied()
}
