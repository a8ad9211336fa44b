pub struct Route {
    pub path: &'static str,
}

pub fn route_for(path: &'static str) -> Route {
    Route { path }
}
