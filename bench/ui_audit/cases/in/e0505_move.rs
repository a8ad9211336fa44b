pub fn consume(_s: String) {}

pub fn run() {
    let s = String::from("x");
    let r = &s;
    consume(s);
    println!("{r}");
}
