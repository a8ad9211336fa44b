pub trait Store {
    async fn load(&self, key: u32) -> String;
}

pub async fn first(store: &impl Store) -> String {
    store.load(1).await
}
