pub struct Name<'a>(&'a str);

impl Name<'static> {
    pub fn make(text: &str) -> Self {
        Name(text)
    }
}
