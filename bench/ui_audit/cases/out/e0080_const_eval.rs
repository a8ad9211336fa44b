pub const BAD: u8 = 255 + 1;
