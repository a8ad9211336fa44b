pub fn run(data: &Vec<u8>) {
    std::thread::spawn(move || data.len());
}
