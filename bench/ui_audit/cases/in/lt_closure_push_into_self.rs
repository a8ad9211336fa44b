pub struct Names<'a> {
    list: Vec<&'a str>,
}

impl<'a> Names<'a> {
    pub fn add_all<'b>(&mut self, more: &'b [String]) {
        more.iter().for_each(|m| self.list.push(m));
    }
}
