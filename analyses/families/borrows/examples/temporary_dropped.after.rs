pub fn first_word_len(input: &str) -> usize {
    let lower = input.to_lowercase();
    let first = lower.split(' ').next().unwrap_or("");
    first.len()
}
