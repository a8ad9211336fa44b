use std::cell::RefCell;
use std::future::Future;

fn run_later<F: Future<Output = ()> + Send + 'static>(job: F) { drop(job); }

async fn add(total: &RefCell<u32>, n: u32) {
    *total.borrow_mut() += n;
}

pub fn start() {
    let total = RefCell::new(0);
    run_later(async move {
        let step = async { add(&total, 1).await };
        step.await;
    });
}
