pub fn count_long(words: &[&str]) -> usize {
    let mut count = 0;
    let mut counter = || &mut count;
    for word in words {
        if word.len() > 3 {
            *counter() += 1;
        }
    }
    count
}
