pub struct Opaque;

pub fn show(o: Opaque) -> String {
    format!("{}", o)
}
