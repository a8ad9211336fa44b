pub struct Registry;

impl Registry {
    pub fn register<T: Send + 'static>(&self, _item: T) {}
}

pub fn add<'r>(registry: &Registry, item: &'r [u8]) {
    registry.register(item);
}
