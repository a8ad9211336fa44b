use std::future::Future;

pub fn on_tick<F, Fut>(_handler: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
}

pub fn run() {
    let mut ticks = 0u32;
    on_tick(move || async {
        ticks += 1;
    });
}
