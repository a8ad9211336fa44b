pub fn pair<'a, 'b>(x: &'a u32, y: &'b u32) -> (&'a u32, &'a u32)
where
    'a: 'a,
{
    (x, y)
}
