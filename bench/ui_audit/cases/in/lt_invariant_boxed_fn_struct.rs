pub struct Sink<'a> {
    pub f: Box<dyn FnOnce(&mut &'a u8) + 'static>,
}

pub fn forever<'r>(s: Sink<'r>) -> Sink<'static> {
    s
}
