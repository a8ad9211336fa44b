pub struct Job<T: 'static> {
    pub payload: T,
}

pub fn job<'p>(payload: &'p str) -> Job<&'p str> {
    Job { payload }
}
