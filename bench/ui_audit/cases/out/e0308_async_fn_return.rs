pub async fn fetch() -> u8 {
    "not a number"
}
