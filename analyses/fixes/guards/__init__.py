"""Fixes for a lock or `RefCell` guard that is alive across an `.await` (shared by the
`send-mutexguard-across-await` and `send-refcell-guard-across-await` families).

Two edits, both purely syntactic and deliberately conservative:

* `block-before-await` — a named guard (`let g = x.lock().unwrap();`) whose last use comes
  before the statement holding the `.await`: the statements from the `let` to that last use go
  into a nested block `{ … }`, so the guard's scope (which is what rustc's analysis looks at)
  ends before the await. Locals of the block that are used after it are carried out as the
  block's value (`let n = { let g = …; g.len() };`). A trailing `drop(g);` becomes redundant
  and is removed. A `?` or `return` among the statements stays valid inside the block (it
  still leaves the function); a carried `x?` or `match x { Some(v) => v, None => return … }`
  counts as owned when `x` does. Not offered when the guard is used at or after the await,
  when a carried value might borrow from the guard, or when the statements do not sit on
  lines of their own.
* `hoist-scrutinee` — a temporary guard in the head of a `match`, `if let` or `while let`
  lives for the whole expression: the head moves into a `let` before it (for `while let`, the
  loop becomes `loop { let next = …; let P = next else { break }; … }`). Offered only when the
  hoisted value is clearly owned: a method that returns an owned value (`pop_front`, `remove`,
  `len`, …), an `Option<&T>` already followed by `.cloned()`/`.copied()`, or an `Option<&T>`
  whose `T` is visibly `Clone` from rustc's guard type (then `.cloned()` is added and the head
  becomes `name.as_ref()`, so the patterns see the same types as before — or, when every
  `Some(x)` arm uses `x` once as `x.clone()`, the head is the owned `name` and that clone
  becomes plain `x`).

For a `RefCell`, ending the borrow only makes the future `Send` if the future owns the cell:
when it reaches the cell through a reference (`&self`, a `&RefCell` parameter, a non-`move`
async block), the `&RefCell` itself is not `Send` and neither fix is offered.

The parts: `offers` (the entry point), `held` (the guard the diagnostic describes and where it
is), `block` and `hoist` (the two fixes), `values` (reading the code around a guard: is a
value owned) and `cells` (does the future own the `RefCell`).
"""
