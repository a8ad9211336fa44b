pub fn run() {
    let mut s = String::from("ab");
    let first = &s[..1];
    s.push('c');
    println!("{first}");
}
