pub fn run() -> &'static str {
    let x: i32 = "lifetime may not live long enough";
    let _ = x;
    "ok"
}
