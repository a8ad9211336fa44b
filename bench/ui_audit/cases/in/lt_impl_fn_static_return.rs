pub fn printer<'a>(text: &'a str) -> impl Fn() + 'static {
    move || println!("{text}")
}
