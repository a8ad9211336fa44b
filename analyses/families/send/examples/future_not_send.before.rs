pub trait Notify {
    fn notify(&self, text: &str);
}

async fn deliver() {}

pub fn start(notifier: Box<dyn Notify>) {
    tokio::spawn(async move {
        deliver().await;
        notifier.notify("delivered");
    });
}
