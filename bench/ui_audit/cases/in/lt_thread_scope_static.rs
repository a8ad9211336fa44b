pub fn spawn_static<F: FnOnce() + Send + 'static>(_f: F) {}

pub fn work(items: &Vec<u32>) {
    let total = |v: &Vec<u32>| v.len();
    let _ = total;
    spawn_static(move || {
        let _n = items.len();
    });
}
