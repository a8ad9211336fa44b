pub fn first(v: &[u8]) -> Option<u8> {
    v.first()
}
