pub fn items<'a>(data: &'a Vec<u8>, _n: &u8) -> impl Iterator<Item = u8> + 'a {
    let _ = _n;
    data.iter().map(move |x| x + *_n)
}
