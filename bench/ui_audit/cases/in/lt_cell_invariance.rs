use std::cell::Cell;

pub fn shorten<'long: 'short, 'short>(c: Cell<&'long u8>) -> Cell<&'short u8> {
    c
}

pub fn lengthen<'s, 'l>(c: Cell<&'s u8>) -> Cell<&'l u8> {
    c
}
