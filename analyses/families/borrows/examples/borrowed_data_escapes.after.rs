pub fn log_later(message: &str) {
    let message = message.to_owned();
    std::thread::spawn(move || {
        println!("{message}");
    });
}
