"""The `Rc` → `Arc` (and `RefCell` → `Mutex`/`RwLock`) rewrite shared by the families whose
culprit is a single-threaded shared pointer: `send-rc-across-await`, `thread-spawn-not-send`,
`future-not-send` and `sync-captured-by-reference`.

A conversion starts from one *slot* — a binding (`let`, parameter) or a struct field — and
follows the value through the file: where it comes from (`Rc::new`, `Rc::clone(&x)`,
`x.clone()`, `Rc::downgrade`, a caller's argument, a struct literal) and where it goes (a
`let`, a parameter of a function of this file, a field). Every slot reached changes type
together, and every use of a slot must be one we understand; one unknown use (returned,
stored in a `Vec`, passed to a function we cannot see) and no fix is offered. Values that
never meet the culprit's value — another `Rc` in the same function — are left alone.

A `RefCell` inside the pointer becomes a `Mutex` (or `RwLock`) only when every `.borrow()` /
`.borrow_mut()` on the converted values is found, no two of them can be alive at once (a
`Mutex` would deadlock where `RefCell` allowed two shared borrows), and none is held across an
`.await`. The data behind the pointer must be thread-safe as far as the file shows (no `Cell`,
raw pointer, non-`Send` trait object …), else the rewrite would only move the error.

The parts: `offers` (the entry points the families call) and `culprits` (from what the
diagnostic names to the slot a conversion starts at); `convert` runs one conversion over the
state in `plan`, visiting `origins` (where a slot's value comes from) and `destinations`
(where it goes), with `types` (the type rewrite), `locks` (the `RefCell` → lock rewrite of
every borrow) and `safety` (is the data inside thread-safe).
"""
