pub struct Ctx {
    pub name: &'static str,
}

pub fn make(name: &str) -> Ctx {
    let _ = name;
    Ctx { name: "fixed" }
}

pub fn f(x: &u8, y: &u8) -> &u8 {
    x
}
