use futures::stream::{self, StreamExt};

async fn size(name: &str) -> usize {
    name.len()
}

pub fn start(names: Vec<String>) {
    tokio::spawn(async move {
        let sizes: Vec<usize> = stream::iter(names.iter().map(|name| size(name)).collect::<Vec<_>>())
            .buffered(4)
            .collect()
            .await;
        println!("{sizes:?}");
    });
}
