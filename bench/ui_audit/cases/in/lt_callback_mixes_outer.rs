pub fn either<'r>(a: &'r u32, b: &'r u32) -> &'r u32 {
    if a > b { a } else { b }
}

pub fn lend<T, F: FnOnce(&u32) -> T>(f: F) -> T {
    f(&7)
}

pub fn pick<'a>(outer: &'a u32) -> u32 {
    let chosen = lend(|inner| either(outer, inner));
    *chosen
}
