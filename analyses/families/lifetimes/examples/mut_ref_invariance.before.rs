pub fn remember<'list, 'name>(seen: &mut Vec<&'list str>, name: &'name str) {
    seen.push(name);
}
