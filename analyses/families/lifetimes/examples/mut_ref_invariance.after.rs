pub fn remember<'list, 'name: 'list>(seen: &mut Vec<&'list str>, name: &'name str) {
    seen.push(name);
}
