pub trait Store {
    async fn load(&self, key: u32) -> String;
}

pub fn preload<S: Store + Send + Sync + 'static>(store: S) {
    tokio::spawn(async move {
        println!("{}", store.load(1).await);
    });
}
