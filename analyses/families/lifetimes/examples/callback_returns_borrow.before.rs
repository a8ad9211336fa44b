pub struct Names {
    items: Vec<String>,
}

impl Names {
    pub fn with_first<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let first = self.items[0].to_uppercase();
        f(&first)
    }
}

pub fn first_len(names: &Names) -> usize {
    let first = names.with_first(|name| name.trim());
    first.len()
}
