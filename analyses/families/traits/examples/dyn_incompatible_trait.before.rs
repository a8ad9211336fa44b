pub trait Shape {
    fn area(&self) -> f64;
    fn scaled(&self, factor: f64) -> Self;
}

pub fn twice(shape: &dyn Shape) -> f64 {
    shape.area() * 2.0
}
