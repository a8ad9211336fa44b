use std::ptr::NonNull;

pub struct Slot { value: NonNull<u64> }
impl Slot {
    fn get(&self) -> u64 { unsafe { *self.value.as_ptr() } }
}

async fn save(_total: u64) {}

pub fn start(counter: &'static mut u64) {
    tokio::spawn(async move {
        let slot = Slot { value: NonNull::from(counter) };
        let total = slot.get();
        save(total).await;
    });
}
