pub trait Named {
    fn name(&self) -> &'static str;
}

pub struct Person(String);

impl Named for Person {
    fn name(&self) -> &'static str {
        &self.0
    }
}
