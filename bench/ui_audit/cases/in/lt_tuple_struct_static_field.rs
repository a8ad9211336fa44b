pub struct Label(pub &'static str);

pub fn label<'n>(text: &'n str) -> Label {
    Label(text)
}
