pub struct Lexer<'a> {
    pub on_token: Box<dyn FnMut(&str) + 'a>,
}

pub fn feed(lexer: &mut Lexer<'_>, count: u32) {
    for n in 0..count {
        let token = format!("t{n}");
        (lexer.on_token)(&token);
    }
}
