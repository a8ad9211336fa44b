pub fn run(v: &Vec<String>) -> String {
    v[0]
}
