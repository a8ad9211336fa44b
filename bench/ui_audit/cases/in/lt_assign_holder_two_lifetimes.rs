pub struct Holder<'a> {
    pub r: &'a u8,
}

pub fn swap<'a, 'b>(h: &mut Holder<'a>, other: Holder<'b>) {
    *h = other;
    let _: fn(&'static u8) = |_: &u8| ();
    let x: Holder<'static> = Holder { r: &0 };
    let _y: &mut Holder<'static> = &mut Holder { r: &1 };
    let _ = x;
}
