pub fn remember<'a>(slot: &mut &'static str, value: &'a str) {
    let mut set = || *slot = value;
    set();
}
