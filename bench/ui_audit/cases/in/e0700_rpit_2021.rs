pub fn view(x: &Vec<u8>) -> impl Sized {
    x
}
