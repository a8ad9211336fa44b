pub fn put<'v>(slot: &mut Option<&'static u8>, value: &'v u8) {
    *slot = Some(value);
}
