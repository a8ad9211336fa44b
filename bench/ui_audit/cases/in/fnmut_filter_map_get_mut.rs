use std::collections::HashMap;

pub fn all(map: &mut HashMap<u32, String>, keys: Vec<u32>) -> Vec<&mut String> {
    keys.into_iter().filter_map(|k| map.get_mut(&k)).collect()
}
