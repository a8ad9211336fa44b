pub fn make_hook<'a>(prefix: &'a str) -> Box<dyn FnMut(&str) -> String + 'static> {
    Box::new(move |s| format!("{prefix}{s}"))
}
