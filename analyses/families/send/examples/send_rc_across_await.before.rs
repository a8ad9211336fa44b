use std::rc::Rc;

async fn save(count: usize) {}

pub fn start(names: Vec<String>) {
    tokio::spawn(async move {
        let shared = Rc::new(names);
        save(shared.len()).await;
        println!("{} saved", shared.len());
    });
}
