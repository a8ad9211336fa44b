pub fn shout_all(words: &[&str]) -> usize {
    let mut loud: Vec<String> = Vec::new();
    for word in words {
        let upper = word.to_uppercase();
        loud.push(upper);
    }
    loud.len()
}
