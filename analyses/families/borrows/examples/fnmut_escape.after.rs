pub fn count_long(words: &[&str]) -> usize {
    let mut count = 0;
    let mut bump = || count += 1;
    for word in words {
        if word.len() > 3 {
            bump();
        }
    }
    count
}
