pub fn takes_static(_s: &'static str) {}

pub fn pass<'a>(s: &'a str) {
    takes_static(s);
}
