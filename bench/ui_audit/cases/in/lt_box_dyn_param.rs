pub fn install(_hook: Box<dyn Fn() -> bool>) {}

pub fn setup<'c>(flag: &'c bool) {
    install(Box::new(move || *flag));
}
