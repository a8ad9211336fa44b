pub fn log_later(message: &str) {
    std::thread::spawn(move || {
        println!("{message}");
    });
}
