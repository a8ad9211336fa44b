pub fn first_word_len(input: &str) -> usize {
    let first = input.to_lowercase().split(' ').next().unwrap_or("");
    first.len()
}
