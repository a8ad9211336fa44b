pub fn view<'a>(data: &'a [u8]) -> impl Iterator<Item = &'a u8> + 'static {
    data.iter()
}
