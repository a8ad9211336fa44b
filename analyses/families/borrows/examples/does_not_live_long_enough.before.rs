pub fn shout_all(words: &[&str]) -> usize {
    let mut loud: Vec<&str> = Vec::new();
    for word in words {
        let upper = word.to_uppercase();
        loud.push(&upper);
    }
    loud.len()
}
