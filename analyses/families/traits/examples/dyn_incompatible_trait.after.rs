pub trait Shape {
    fn area(&self) -> f64;
    fn scaled(&self, factor: f64) -> Self
    where
        Self: Sized;
}

pub fn twice(shape: &dyn Shape) -> f64 {
    shape.area() * 2.0
}
