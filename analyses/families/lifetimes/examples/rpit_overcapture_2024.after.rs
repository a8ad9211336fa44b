pub fn indices(items: &Vec<u32>) -> impl Iterator<Item = usize> + use<> {
    0..items.len()
}

pub fn grow(mut items: Vec<u32>) -> usize {
    let range = indices(&items);
    items.push(0);
    range.count()
}
