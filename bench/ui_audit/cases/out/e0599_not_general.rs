pub struct Handler;

pub fn run(h: Handler) {
    h.not_general_enough();
}
