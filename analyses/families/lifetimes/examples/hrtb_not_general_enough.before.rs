fn words(line: &str) -> usize {
    line.split_whitespace().count()
}

fn per_line<F: Fn(&str) -> usize>(text: &str, count: F) -> usize {
    text.lines().map(|line| count(line)).sum()
}

pub fn total_words(text: &str) -> usize {
    let count = |line| words(line);
    per_line(text, count)
}
