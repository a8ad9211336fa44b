pub fn each<'a>(items: &'a [u32], sink: &mut Vec<&'static u32>) {
    items.iter().for_each(|item| sink.push(item));
}
