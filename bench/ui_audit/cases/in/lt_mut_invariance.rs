pub fn append<'a, 'b>(into: &mut Vec<&'a u8>, item: &'b u8) {
    into.push(item);
}
