pub fn overwrite<'a, 'b>(slot: &mut (&'a str,), text: &'b str) {
    let mut set = |input| slot.0 = input;
    set(text);
}
