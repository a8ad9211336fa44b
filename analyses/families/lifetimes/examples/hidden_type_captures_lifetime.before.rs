pub fn evens(numbers: &[u32]) -> impl Iterator<Item = u32> {
    numbers.iter().copied().filter(|n| n % 2 == 0)
}
