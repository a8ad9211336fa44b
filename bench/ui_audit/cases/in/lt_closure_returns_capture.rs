pub fn run() {
    let owned = String::from("kept");
    let view = move || &owned;
    let _ = view();
}
