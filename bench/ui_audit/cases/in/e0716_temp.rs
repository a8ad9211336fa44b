pub fn run() {
    let slice = String::from("a,b").as_str();
    println!("{slice}");
}
