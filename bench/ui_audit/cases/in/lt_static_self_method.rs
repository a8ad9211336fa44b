pub struct Service;

impl Service {
    pub fn start(&'static self) {}
}

pub fn boot(service: &Service) {
    service.start();
}
