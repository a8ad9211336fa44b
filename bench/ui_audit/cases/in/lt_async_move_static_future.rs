use std::future::Future;

pub fn later<'a>(value: &'a u32) -> impl Future<Output = u32> + 'static {
    async move { *value }
}
