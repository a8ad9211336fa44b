pub fn run(x: Thing) {}
