pub struct Doc<'a> {
    title: &'a str,
}

impl<'a> Doc<'a> {
    pub fn title(&self) -> &'static str {
        self.title
    }
}
