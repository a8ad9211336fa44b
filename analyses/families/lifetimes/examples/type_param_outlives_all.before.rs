pub trait Lend<T> {
    type Ref<'a>
    where
        T: 'a;
}

impl<T> Lend<T> for () {
    type Ref<'a> = &'a T where T: 'a;
}

pub fn inspect<T>(items: Vec<T>) -> usize {
    let _look: for<'a> fn(<() as Lend<T>>::Ref<'a>) = |_| ();
    items.len()
}
