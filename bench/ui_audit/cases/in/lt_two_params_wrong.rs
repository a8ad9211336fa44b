pub fn longest<'a, 'b>(left: &'a str, right: &'b str) -> &'a str {
    if left.len() > 3 { left } else { right }
}
