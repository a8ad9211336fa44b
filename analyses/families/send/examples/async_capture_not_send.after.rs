use std::future::Future;
use std::sync::Mutex;

fn run_later<F: Future<Output = ()> + Send + 'static>(job: F) { drop(job); }

async fn add(total: &Mutex<u32>, n: u32) {
    *total.lock().unwrap() += n;
}

pub fn start() {
    let total = Mutex::new(0);
    run_later(async move {
        let step = async { add(&total, 1).await };
        step.await;
    });
}
