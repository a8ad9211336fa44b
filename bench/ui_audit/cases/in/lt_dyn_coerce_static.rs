pub trait Draw {
    fn draw(&self);
}

pub fn keep<'a>(item: Box<dyn Draw + 'a>) -> Box<dyn Draw + 'static> {
    item
}
