pub struct Route {
    pub path: &'static str,
}

pub fn route_for(path: &str) -> Route {
    Route { path }
}
