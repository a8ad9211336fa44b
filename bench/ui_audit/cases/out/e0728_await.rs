pub async fn fetch() -> u8 {
    1
}

pub fn run() {
    let _ = fetch().await;
}
