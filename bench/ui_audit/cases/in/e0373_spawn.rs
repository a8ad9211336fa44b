pub fn run() {
    let n = 3;
    let handle = std::thread::spawn(|| n + 1);
    let _ = handle.join();
}
