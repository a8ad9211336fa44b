pub struct Playlist<'a> {
    songs: Vec<&'a str>,
}

impl<'a> Playlist<'a> {
    pub fn add(&'a mut self, song: &'a str) {
        self.songs.push(song);
    }
}

pub fn two_songs(first: &str, second: &str) -> usize {
    let mut list = Playlist { songs: Vec::new() };
    list.add(first);
    list.add(second);
    list.songs.len()
}
