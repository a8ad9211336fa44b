pub trait Describe {
    fn describe(&self) -> &'static str;
}

impl<'a> Describe for &'a str {
    fn describe(&self) -> &'static str {
        self
    }
}
