pub fn need_copy<T: Copy + 'static>(_t: T) {}

pub fn run() {
    need_copy(String::new());
}
