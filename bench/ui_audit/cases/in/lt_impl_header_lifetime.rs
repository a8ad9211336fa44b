pub struct Parser<'src> {
    pub text: &'src str,
}

impl<'src> Parser<'src> {
    pub fn pick<'other>(&self, other: &'other str) -> &'src str {
        if other.is_empty() { self.text } else { other }
    }
}
