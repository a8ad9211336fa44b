pub fn copy_into<'a, 'b>(x: &mut &'a u8, y: &mut &'b u8) {
    *x = *y;
}
