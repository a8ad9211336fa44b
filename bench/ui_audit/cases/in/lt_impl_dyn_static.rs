pub trait Shape {
    fn area(&self) -> f64;
}

impl dyn Shape {
    pub fn twice(&self) -> f64 {
        self.area() * 2.0
    }
}

pub fn doubled<'a>(shape: &'a dyn Shape) -> f64 {
    shape.twice()
}
