use std::sync::atomic::{AtomicU32, Ordering};

async fn flush() {}

pub fn start(total: u32) {
    tokio::spawn(async move {
        let count = AtomicU32::new(total);
        let seen = &count;
        flush().await;
        seen.fetch_add(1, Ordering::Relaxed);
    });
}
