pub fn run() {
    let mut data = vec![1, 2, 3];
    let _make = move || {
        data.push(4);
        let mut it = data.iter();
        move || it.next().copied()
    };
}
