pub struct Config {
    name: String,
}

impl Config {
    pub fn name_or(&self, fallback: &str) -> &str {
        if self.name.is_empty() { fallback } else { &self.name }
    }
}
