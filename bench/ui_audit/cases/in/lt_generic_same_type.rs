use std::cell::Cell;

pub fn same<T>(_a: T, _b: T) {}

pub fn mix<'a, 'b>(x: Cell<&'a u8>, y: Cell<&'b u8>) {
    same(x, y);
}
