pub fn call<F>(_f: F)
where
    F: for<'a> Fn() -> &'a u8,
{
}
