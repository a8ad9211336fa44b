pub struct Config {
    pub name: &'static str,
}

pub fn config_for<'n>(name: &'n str) -> Config {
    Config { name }
}
