pub struct S {
    name: String,
}

pub fn run(s: &S) -> String {
    s.name
}
