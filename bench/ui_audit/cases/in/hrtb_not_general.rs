pub fn call<F: for<'a> Fn(&'a u8) -> &'a u8>(_f: F) {}

pub fn run() {
    let f = |x: &u8| -> &u8 { x };
    let g = move |x| x;
    call(f);
    let _h: &dyn for<'b> Fn(&'b u8) -> &'b u8 = &g;
}
