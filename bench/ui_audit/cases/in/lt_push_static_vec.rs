pub fn collect<'s>(names: &mut Vec<&'static str>, name: &'s str) {
    names.push(name);
}
