pub fn split<'a>(pair: (&'a u8, &'a u8)) -> u8 {
    let (first, _): (&'static u8, &u8) = pair;
    *first
}
