pub struct Cache {
    items: Vec<String>,
}

impl Cache {
    pub fn first<'a>(&self, fallback: &'a str) -> &'a str {
        self.items.first().map(|s| s.as_str()).unwrap_or(fallback)
    }
}
