use std::cell::Cell;

async fn flush() {}

pub fn start(total: u32) {
    tokio::spawn(async move {
        let count = Cell::new(total);
        let seen = &count;
        flush().await;
        seen.set(seen.get() + 1);
    });
}
