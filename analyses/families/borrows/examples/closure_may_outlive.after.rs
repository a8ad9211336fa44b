use std::thread;

pub fn report(total: u64) -> thread::JoinHandle<()> {
    let label = String::from("total");
    thread::spawn(move || {
        println!("{label}: {total}");
    })
}
