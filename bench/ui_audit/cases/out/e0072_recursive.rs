pub struct List {
    pub next: Option<List>,
}
