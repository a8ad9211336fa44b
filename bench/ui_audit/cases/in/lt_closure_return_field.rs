pub struct Row {
    pub name: String,
}

pub fn names(rows: &[Row]) -> Vec<&str> {
    let get = |r: &Row| r.name.as_str();
    rows.iter().map(get).collect()
}
