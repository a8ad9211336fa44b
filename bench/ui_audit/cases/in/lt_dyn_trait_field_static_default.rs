pub trait Visitor {
    fn visit(&self);
}

pub struct Walker {
    pub visitor: Box<dyn Visitor>,
}

impl<'a> Visitor for &'a str {
    fn visit(&self) {}
}

pub fn walker<'a>(name: &'a str) -> Walker {
    Walker { visitor: Box::new(name) }
}
