use std::rc::Rc;
use std::thread;

pub fn count_in_background(names: Vec<String>) -> usize {
    let shared = Rc::new(names);
    let worker = Rc::clone(&shared);
    let handle = thread::spawn(move || worker.len());
    handle.join().unwrap() + shared.len()
}
