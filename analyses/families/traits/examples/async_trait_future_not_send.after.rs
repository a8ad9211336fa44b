pub trait Store {
    fn load(&self, key: u32) -> impl std::future::Future<Output = String> + Send;
}

pub fn preload<S: Store + Send + Sync + 'static>(store: S) {
    tokio::spawn(async move {
        println!("{}", store.load(1).await);
    });
}
