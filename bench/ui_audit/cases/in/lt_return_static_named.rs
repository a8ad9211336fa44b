// A named lifetime returned where the signature promises `'static`.
pub fn widen<'a>(value: &'a u32) -> &'static u32 {
    value
}
