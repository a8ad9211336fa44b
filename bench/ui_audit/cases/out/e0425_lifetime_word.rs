pub fn run(data: &[u8]) -> usize {
    data.len() + borrowed_data_escapes
}
