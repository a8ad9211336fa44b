; Every lifetime written in the searched node: `'a`, `'static`, `'_` (in references,
; generic arguments, bounds and lifetime parameters alike).
; Used by: fixes/bounds.py (`lifetimes_in`: names already taken), fixes/hrtb.py (the
; `'static`s pinning a fn's signature), lifetime_not_tied.py and
; hidden_type_captures_lifetime.py (the named lifetimes of a type).
;
; @lifetime  the lifetime node (its text includes the quote)
(lifetime) @lifetime
