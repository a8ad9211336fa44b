pub fn pick<'a, 'b>(first: &'a u8, second: &'b u8, take_first: bool) -> &'a u8 {
    let choose = |x: &'a u8, y: &'b u8| if take_first { x } else { y };
    choose(first, second)
}
