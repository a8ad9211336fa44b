use std::sync::{Arc, Mutex};

async fn flush() {}

pub fn start(hits: Arc<Mutex<u32>>) {
    tokio::spawn(async move {
        let mut count = hits.lock().unwrap();
        *count += 1;
        flush().await;
    });
}
