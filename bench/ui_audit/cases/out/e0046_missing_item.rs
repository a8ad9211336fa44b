pub trait Area {
    fn area(&self) -> f64;
}

pub struct Sq;

impl Area for Sq {}
