pub struct Borrowed<'a>(&'a str);

pub fn run<'a>(b: Borrowed<'a>) -> &'a str {
    b.borrow_for_static()
}
