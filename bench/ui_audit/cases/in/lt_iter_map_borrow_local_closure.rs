pub fn lens(words: Vec<String>) -> Vec<usize> {
    let trim = |w: &String| w.trim();
    words.iter().map(trim).map(|s| s.len()).collect()
}
