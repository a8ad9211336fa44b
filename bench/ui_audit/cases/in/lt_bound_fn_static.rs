pub fn on_event<F: Fn() + 'static>(_handler: F) {}

pub fn subscribe<'a>(label: &'a str) {
    on_event(move || println!("{label}"));
}
