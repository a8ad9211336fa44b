pub fn run() -> u32 {
    let x: u32 = "five";
    x
}
