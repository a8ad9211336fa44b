pub fn pick<'a>(left: &'a u8, right: &u8) -> &'a u8 {
    if *left > 0 { left } else { right }
}
