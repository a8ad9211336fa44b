pub fn log_first(scores: &mut Vec<u32>) {
    let first = &scores[0];
    scores.push(0);
    println!("first score: {first}");
}
