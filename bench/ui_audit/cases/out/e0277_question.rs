pub fn run() {
    let _n: u32 = "4".parse()?;
}
