pub struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    pub fn reset(&mut self, input: &str) {
        self.rest = input;
    }
}
