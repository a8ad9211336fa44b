use std::future::Future;

pub fn on_message<F, Fut>(_handler: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
}

pub fn run() {
    let room = String::from("lobby");
    on_message(move || async {
        println!("{}", room);
    });
}
