use std::sync::Arc;
use std::thread;

pub fn count_in_background(names: Vec<String>) -> usize {
    let shared = Arc::new(names);
    let worker = Arc::clone(&shared);
    let handle = thread::spawn(move || worker.len());
    handle.join().unwrap() + shared.len()
}
