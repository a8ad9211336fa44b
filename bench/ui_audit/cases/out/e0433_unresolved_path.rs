pub fn run() {
    let _ = missing::thing();
}
