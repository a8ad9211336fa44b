pub async fn depth(levels: u32) -> u32 {
    if levels == 0 {
        return 0;
    }
    depth(levels - 1).await + 1
}
