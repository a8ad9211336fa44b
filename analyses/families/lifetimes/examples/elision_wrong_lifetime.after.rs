pub struct Config {
    name: String,
}

impl Config {
    pub fn name_or<'a>(&'a self, fallback: &'a str) -> &'a str {
        if self.name.is_empty() { fallback } else { &self.name }
    }
}
