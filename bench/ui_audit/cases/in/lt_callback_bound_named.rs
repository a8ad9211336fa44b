pub fn call_with<'a, F>(first: &'a u32, f: F) -> &'a u32
where
    F: FnOnce(&'a u32, &u32) -> &'a u32,
{
    let local = 5;
    f(first, &local)
}

pub fn run<'a>(first: &'a u32) {
    call_with(first, |a, b| if a > b { a } else { b });
}
