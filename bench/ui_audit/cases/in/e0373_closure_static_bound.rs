pub fn later<F: Fn() + 'static>(_f: F) {}

pub fn run() {
    let text = String::from("hi");
    later(|| println!("{}", text.len()));
}
