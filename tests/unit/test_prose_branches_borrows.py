"""Branches of the borrow families' explanation templates (`families/borrows/*.md`) that no
fixture and no generic explanation reaches. Each case gives the facts of one branch and the parts
of the explanation that branch writes, as the families wrote them before their prose moved
into templates."""

from __future__ import annotations

import pytest

from borrowlens.analyses.families.base import FactValue, Match
from borrowlens.analyses.families.registry import family_by_id

# Each case: the family, the facts, and the text of each part it pins ("fix.0": the first
# paragraph of the fix; "what": the whole section).
CASES = [
    # --- borrowed-data-escapes -------------------------------------------------------------------
    # A longer-lived container (not a spawn): store owned values, or tie the lifetimes.
    pytest.param("borrowed-data-escapes",
                 {"scope": "method", "variable": "self", "function": "register",
                  "self_fields": ["names"], "container": "registry",
                  "escapes_via": "registry.push", "escape_line": 9},
                 {"fix.0": (
                     "`registry` outlives the call, so it cannot hold a borrow of `self`. "
                     "Either store owned values in it (make it hold `String`s / `Vec`s and "
                     "push `self.names.to_owned()` or `.clone()`), or tie the lifetimes "
                     "together so the borrow is allowed: `fn register<'a>(…: &'a …, registry: "
                     "&mut Vec<&'a …>)` instead of `'static`.")},
                 id="escapes_into_a_container_self_field"),
    # The container branch for a plain parameter, with no function name known.
    pytest.param("borrowed-data-escapes",
                 {"scope": "function", "variable": "item", "container": "list"},
                 {"fix.0": (
                     "`list` outlives the call, so it cannot hold a borrow of `item`. Either "
                     "store owned values in it (make it hold `String`s / `Vec`s and push "
                     "`item.to_owned()` or `.clone()`), or tie the lifetimes together so the "
                     "borrow is allowed: `fn f<'a>(…: &'a …, list: &mut Vec<&'a …>)` instead "
                     "of `'static`.")},
                 id="escapes_into_a_container_plain_parameter"),
    # A `self` whose fields are read but no method called: clone the fields.
    pytest.param("borrowed-data-escapes",
                 {"scope": "method", "variable": "self", "function": "run",
                  "self_fields": ["jobs"], "escapes_via": "thread::spawn", "needs": "'static"},
                 {"fix.0": (
                     "Clone what the task needs out of `self` before spawning and move those "
                     "owned values in: `let jobs = self.jobs.clone();`, then use `jobs` inside "
                     "a `move` closure or `async move` block. If the whole object is needed, "
                     "keep the object in an `Arc` and give the method a `self: &Arc<Self>` "
                     "receiver, then move `Arc::clone(self)` into the task so it owns a share "
                     "of the whole object.")},
                 id="escapes_self_without_method_calls"),
    # `'static` demanded by something that is not a spawn.
    pytest.param("borrowed-data-escapes",
                 {"scope": "closure", "variable": "name", "escapes_via": "self.handlers.push",
                  "needs": "'static", "escape_line": 4},
                 {"what": (
                     "`name` is borrowed by the closure from its caller, and that borrow is "
                     "only guaranteed to be valid until the closure returns. "
                     "`self.handlers.push` on line 4 takes it and needs it to live longer — "
                     "for `'static`, which no borrowed parameter can promise.")},
                 id="escapes_static_without_spawn"),
    # A parameter of a type that is not plain data, used again after the spawn: a copy under a
    # new name, which needs the type to be `Clone`.
    pytest.param("borrowed-data-escapes",
                 {"scope": "function", "variable": "cfg", "function": "watch",
                  "param_type": "&Config", "param_line": 3, "escapes_via": "tokio::spawn",
                  "escape_line": 5, "used_after_line": 9},
                 {"hover": (
                     "`cfg` is a `&Config` parameter of `watch` (line 3), so it is valid only "
                     "while the call lasts. `tokio::spawn` on line 5 hands it to a task that may "
                     "still run after `watch` has returned."),
                  "change": (
                     "Copy it under a new name before `tokio::spawn`, `let cfg_owned = "
                     "cfg.to_owned();`, and use `cfg_owned` inside; `cfg` stays usable on line 9."),
                  "fix.0": (
                     "Give the task its own copy under a new name: `let cfg_owned = "
                     "cfg.to_owned();` before `tokio::spawn`, and use `cfg_owned` there instead. "
                     "`cfg` itself stays a borrow, still usable on line 9. `to_owned()` copies the "
                     "value only if its type is `Clone`.")},
                 id="escapes_used_after_the_spawn"),
    # The container branch's hover and change.
    pytest.param("borrowed-data-escapes",
                 {"scope": "function", "variable": "item", "function": "add", "container": "list",
                  "escapes_via": "list.push", "escape_line": 2, "param_line": 1,
                  "param_type": "&str"},
                 {"hover": (
                     "`item` is a `&str` parameter of `add` (line 1), so it is valid only while "
                     "the call lasts. `list.push` on line 2 stores it in `list`, which outlives "
                     "the call."),
                  "change": (
                     "Store owned values in `list` (push `item.to_owned()`), or give `item` and "
                     "`list` one lifetime parameter `'a`.")},
                 id="escapes_into_a_container_hover"),
    # --- closure-may-outlive ---------------------------------------------------------------------
    # An async block whose variable is used again later: clone it into a block around `async move`.
    pytest.param("closure-may-outlive",
                 {"variable": "name", "kind": "async block", "closure_line": 5,
                  "required_by": "tokio::spawn", "used_after_line": 9},
                 {"fix.0": (
                     "`name` is still used on line 9, after the async block, so moving it "
                     'would just trade this error for "use of moved value". Give the async '
                     "block its own copy: wrap it in a block that clones first, `{ let name = "
                     "name.clone(); async move { … } }`, so the clone is what moves in and the "
                     "original stays usable. (If `name` is `Copy`, such as an integer, `move` "
                     "copies it and no clone is needed.)")},
                 id="async-block-used-again-later"),
    # Made in a loop, the variable declared outside it: each iteration needs its own clone.
    pytest.param("closure-may-outlive",
                 {"variable": "items", "kind": "closure", "closure_line": 5, "capture_line": 6,
                  "function": "start", "required_by": "thread::spawn", "in_loop": "yes"},
                 {"hover": (
                     "The closure on line 5 captures `items` by reference (line 6), and "
                     "`thread::spawn` may run it after `start` has returned, when `items` is "
                     "gone. It is made once per loop iteration, so moving `items` itself would "
                     "only work the first time."),
                  "change": (
                     "Put `{ let items = items.clone(); move || … }` in place of the closure, so "
                     "each iteration moves in its own clone."),
                  "fix.0": (
                     "The closure is created on every iteration of the loop, but `items` is "
                     "declared outside it: moving `items` into the first one leaves nothing for "
                     'the next, a "use of moved value". Give the closure its own copy: wrap it in '
                     "a block that clones first, `{ let items = items.clone(); move || … }`, so "
                     "the clone is what moves in and the original stays usable. (If `items` is "
                     "`Copy`, such as an integer, `move` copies it and no clone is needed.)")},
                 id="closure-in-a-loop"),
    # A `Copy` variable used again later: `move` copies it.
    pytest.param("closure-may-outlive",
                 {"variable": "limit", "kind": "closure", "closure_line": 5, "function": "start",
                  "required_by": "thread::spawn", "used_after_line": 9, "copy": "yes"},
                 {"change": (
                     "Write `move || …`: `limit` is `Copy`, so the closure takes its own copy and "
                     "line 9 still sees the original."),
                  "fix.0": (
                     "Add `move` (`move || …`), as rustc suggests: the closure then takes "
                     "ownership of `limit` (and every other variable it mentions) instead of "
                     "borrowing it, so nothing it holds can dangle. `limit` is `Copy`, so the "
                     "closure takes a copy and line 9 still reads the original.")},
                 id="copy-variable-used-again-later"),
    # Changed by a thread that is not joined in the function: share it.
    pytest.param("closure-may-outlive",
                 {"variable": "hits", "kind": "closure", "closure_line": 5, "function": "start",
                  "required_by": "thread::spawn", "used_after_line": 9, "mutated": "yes"},
                 {"tldr": (
                     "The closure on line 5 borrows `hits` but goes to `thread::spawn`; share it "
                     "through an atomic or `Arc<Mutex<…>>`."),
                  "change": (
                     "Share it: an `Arc<AtomicUsize>` for a counter, `Arc<Mutex<…>>` otherwise, "
                     "with a clone of the `Arc` moved in."),
                  "fix.0": (
                     "The closure changes `hits` and the function reads it again on line 9. "
                     "`move` (or a clone) would give the closure its own copy: the change would "
                     "never reach line 9, so it is no fix here. Share the value instead — an "
                     "`Arc<AtomicUsize>` for a counter, `Arc<Mutex<T>>` otherwise, with a clone "
                     "of the `Arc` moved in — or, for threads joined before the function returns, "
                     "spawn inside `std::thread::scope`, where the closure may keep borrowing "
                     "`hits`.")},
                 id="mutated-not-joined"),
    # --- conflicting-borrows ---------------------------------------------------------------------
    # A `&mut self` call while a call's result holds all of `self`, neither method named.
    pytest.param("conflicting-borrows",
                 {"variable": "self", "shape": "method-call", "first_borrow": "whole"},
                 {"tldr": (
                     "`self` is still borrowed when the method takes `&mut self`; copy what you "
                     "need first."),
                  "hover": (
                     "The first call borrows all of `self`, and its result is still in use later "
                     "when the method needs `&mut self`."),
                  "fix.0": (
                     "Finish with what the first call returned before calling the method, or "
                     "copy what you need out of it first (`.clone()` the item, read a `Copy` "
                     "field into a local): the first call borrows all of `self`, so its result "
                     "keeps `self` borrowed for as long as it is used."),
                  "fix.2": (
                     "- Split the borrows: a method that takes `&mut self` locks the whole "
                     "struct, but writing the fields it changes directly (instead of calling "
                     "the method) lets the checker see that different fields are used.\n"
                     "- Turn the helper into a function over just the fields it needs (`fn "
                     "helper(field: &mut T, …)`), or group those fields into their own struct "
                     "with its own methods.\n"
                     "- Let the first call return an index or an owned value (`Option<usize>`, "
                     "a clone) instead of a reference into the struct, and look the item up "
                     "again where it is needed.\n"
                     "- Store an index or range instead of a reference into the struct.")},
                 id="method-call-whole-value-unnamed"),
    # A `&mut self` call while a field is borrowed, the method not named.
    pytest.param("conflicting-borrows",
                 {"variable": "state", "shape": "method-call"},
                 {"tldr": (
                     "A field of `state` borrowed earlier is still in use when the method takes "
                     "`&mut self`; copy it out first."),
                  "fix.0": (
                     "Finish with the field before calling the method, or copy what you need "
                     "out of it first (`.clone()`, `.len()`, an index): then no borrow of "
                     "`state` is live when the method borrows all of it mutably.")},
                 id="method-call-field-unnamed"),
    # A shape the explanation does not know reads as a plain overlap.
    pytest.param("conflicting-borrows",
                 {"variable": "x", "shape": "no-such-shape", "first_borrow_line": 2},
                 {"tldr": (
                     "`x` is borrowed again while the borrow on line 2 is in use; end the first "
                     "one sooner.")},
                 id="unknown-shape"),
    # Two `get_mut` on a map: the map's `get_disjoint_mut`, no slice APIs.
    pytest.param("conflicting-borrows",
                 {"variable": "scores", "shape": "two-indexes", "container": "map",
                  "indexes": ["a", "b"], "index_call": "get_mut", "first_borrow_line": 4,
                  "second_borrow_line": 5, "use_line": 6},
                 {"tldr": (
                     "Two `&mut` into `scores` are alive at once; take both entries in one call "
                     "with `get_disjoint_mut`."),
                  "hover": (
                     "`scores.get_mut(a)` on line 4 borrows all of `scores` mutably, and that "
                     "borrow is still in use on line 6 when `scores.get_mut(b)` on line 5 "
                     "borrows it again."),
                  "change": (
                     "Take both at once: `let [first, second] = scores.get_disjoint_mut([a, "
                     "b]);` gives two `Option<&mut _>` (it panics if the keys are equal)."),
                  "fix.2": (
                     "- For a read-modify-write, copy the value out first (`let amount = "
                     "scores[a];` for a `Copy` value) and then change the other entry: each "
                     "lookup is a short borrow that ends immediately.\n"
                     "- Look the keys up one after the other, finishing with the first entry "
                     "before taking the second.")},
                 id="two-entries-of-a-map"),
    # A lookup then a change on a `Vec`: no entry API there.
    pytest.param("conflicting-borrows",
                 {"variable": "items", "shape": "map-get-insert", "container": "slice",
                  "first_borrow_line": 3, "second_borrow_line": 5, "use_line": 6},
                 {"tldr": (
                     "A borrow from `items` on line 3 is still in use when it is modified on line "
                     "5; copy what you need out of it first."),
                  "change": (
                     "Copy what you need out of the lookup (`.cloned()`, a `Copy` field) before "
                     "changing `items`."),
                  "fix.0": (
                     "Copy what you need out of the lookup before changing `items`: `.cloned()` "
                     "the item, or read the `Copy` fields into locals. The borrow then ends at the "
                     "lookup, and the change is free to take `items` mutably.")},
                 id="lookup-then-change-on-a-vec"),
    # --- does-not-live-long-enough ---------------------------------------------------------------
    # A spawn while the value is used after the call: share it through an `Arc`.
    pytest.param("does-not-live-long-enough",
                 {"variable": "data", "static_by": "thread::spawn", "workaround": "arc",
                  "static_line": 4, "borrow_line": 3, "dropped_line": 9, "type": "Vec<u8>"},
                 {"tldr": (
                     "`thread::spawn` on line 4 needs `'static`, but gets a borrow of `data`; "
                     "share `data` through an `Arc`."),
                  "hover": (
                     "`data` (a `Vec<u8>`) is borrowed on line 3, and the borrow goes into "
                     "`thread::spawn` on line 4, which needs `'static`, yet `data` is dropped on "
                     "line 9. `data` is still used after the call on line 4, so it cannot simply "
                     "be moved in."),
                  "change": (
                     "Wrap it once, `let data = Arc::new(data);`, and move an "
                     "`Arc::clone(&data)` into the task; the function keeps its own handle."),
                  "fix.0": (
                     "**Share it with `Arc`.** Wrap the data once (`let data = "
                     "Arc::new(data);`) and move an `Arc::clone(&data)` into each task. Every "
                     "clone owns a share, so the data lives until the last task drops its "
                     "handle; add a `Mutex` or `RwLock` inside if the tasks must mutate it."),
                  "fix.1": (
                     "Here that fits best: `data` is still used after the call on line 4, so "
                     "the task and the caller need shared ownership."),
                  "fix.3": (
                     "- **Move owned data in.** Pass `data` itself into the closure or task (a "
                     "`move` closure / `async move` block that names `data`, not a reference "
                     "to it). If you still need it afterwards, give the task its own copy "
                     "first: `let data = data.clone();` before the call. This is the cheapest "
                     "fix when the data is small or used by the task alone.\n"
                     "- **Borrow within a scope.** `std::thread::scope(|s| { s.spawn(|| …); "
                     "})` guarantees every thread joins before the scope returns, so its "
                     "closures may borrow locals and no `'static` is needed. For async code "
                     "the equivalent is structured concurrency: await the work in place "
                     "(`futures::join!`, `join_all`, a `JoinSet` you await before returning) "
                     "instead of detaching it.")},
                 id="static-spawn-shared-with-arc"),
    # `'static` demanded by a type annotation (a phrase, not code), the value used afterwards.
    pytest.param("does-not-live-long-enough",
                 {"variable": "data", "static_by": "the `'static` type annotation",
                  "workaround": "arc"},
                 {"tldr": (
                     "The `'static` type annotation cannot hold a borrow of `data`; share `data` "
                     "through an `Arc`."),
                  "why.0": (
                     "A `'static` bound means the value must not contain any borrow that can "
                     "end: it owns its data, or borrows only from things that live forever "
                     "(string literals, leaked or `static` data). Boxed trait objects such as "
                     "`Box<dyn Fn()>` are implicitly `+ 'static` unless they name a lifetime. "
                     "A reference to `data` ends where `data` is dropped, so it can never be "
                     "`'static`, however short the work actually is.")},
                 id="static-phrase-shared-with-arc"),
    # A spawn handed a borrow of a value rustc does not name.
    pytest.param("does-not-live-long-enough",
                 {"static_by": "tokio::spawn"},
                 {"what": (
                     "The value is a local that is borrowed, and that borrow flows into "
                     "`tokio::spawn`, which requires everything it receives to be valid for "
                     "`'static`. The value is dropped when the function returns, so a "
                     "reference to it cannot meet that requirement."),
                  "change": (
                     "Name the value itself inside the `move` task, not a reference to it, so "
                     "the task owns it."),
                  "fix.0": (
                     "**Move owned data in.** Pass the value itself into the closure or task "
                     "(a `move` closure / `async move` block that names the value, not a "
                     "reference to it). If you still need it afterwards, give the task its own "
                     "copy first: `let value = value.clone();` before the call. This is the "
                     "cheapest fix when the data is small or used by the task alone.")},
                 id="static-unnamed-value"),
    # A spawn in a loop, the value declared outside it: moving it in works only once, so each
    # task gets an `Arc` handle.
    pytest.param("does-not-live-long-enough",
                 {"variable": "cfg", "static_by": "thread::spawn", "workaround": "arc",
                  "in_loop": "yes", "static_line": 6, "type": "Config", "task_kind": "closure",
                  "borrow_line": 5, "dropped_line": 9},
                 {"hover": (
                     "`cfg` (a `Config`) is borrowed on line 5, and the borrow goes into "
                     "`thread::spawn` on line 6, which needs `'static`, yet `cfg` is dropped on "
                     "line 9. The spawn runs on every loop iteration, so `cfg` moved into it "
                     "would be gone by the second."),
                  "change": (
                     "Wrap `cfg` in an `Arc` before the loop and move an `Arc::clone(&cfg)` into "
                     "each closure."),
                  "fix.1": (
                     "Here that fits best: the call on line 6 runs on every iteration of a loop, "
                     "and `cfg` is declared outside it: moved into the first closure, it would be "
                     "gone for the second, so each one needs its own handle.")},
                 id="static-spawn-in-a-loop"),
    # A plain block (no loop): declare the value further out.
    pytest.param("does-not-live-long-enough",
                 {"variable": "buf", "borrow_line": 4, "dropped_line": 6, "use_line": 7,
                  "type": "String"},
                 {"tldr": (
                     "`buf` (a `String`) is dropped on line 6, but its borrow is used on line 7; "
                     "declare it further out or own a copy."),
                  "hover": (
                     "`buf` (a `String`) is borrowed on line 4 and dropped on line 6, at the end "
                     "of its block, yet the borrow is still used on line 7."),
                  "change": (
                     "Declare `buf` before the block that ends on line 6, so it lives as long as "
                     "the borrow."),
                  "fix.1": (
                     "If each iteration creates a fresh value (as with a loop-local `String`), "
                     "borrowing cannot work at all — store the owned value instead: make the "
                     "holder a `Vec<String>` rather than a `Vec<&str>`, or push `buf` itself "
                     "(moving it) instead of `&buf`.")},
                 id="dropped-at-block-end"),
    # --- move-out-while-borrowed -----------------------------------------------------------------
    # A plain reference (no future) still used after `drop`: move the `drop` down.
    pytest.param("move-out-while-borrowed",
                 {"variable": "cfg", "borrowed": "cfg", "borrow_line": 2, "move_line": 3,
                  "moved_into": "drop", "use_line": 4},
                 {"tldr": (
                     "`cfg` is moved on line 3 while a reference still borrows it for line 4; "
                     "move the `drop` after line 4."),
                  "hover": (
                     "`cfg` is borrowed on line 2 and then moved by `drop` on line 3, yet the "
                     "borrow is used again on line 4, after the move."),
                  "change": (
                     "Move `drop(cfg)` after the last use of the borrow on line 4, or delete it "
                     "and let the scope end drop the value."),
                  "fix.0": (
                     "Move the `drop(cfg)` on line 3 after the last use of the borrow on line "
                     "4 — or simply delete it and let the value be dropped at the end of the "
                     "scope.")},
                 id="drop-without-future"),
    # Moved into a closure while a named reference borrows a field: copy the field out.
    pytest.param("move-out-while-borrowed",
                 {"variable": "v", "moved_into": "closure", "reference": "r",
                  "borrowed": "v.items"},
                 {"tldr": "`v` is moved while `r` still borrows it; clone what you keep first.",
                  "hover": (
                     "`r` borrows `v.items`, and `v` is moved into the closure; `r` is used again "
                     "later, after the move."),
                  "change": (
                     "Finish with the borrow before the move, or clone what you need from "
                     "`v.items` first."),
                  "fix.0": (
                     "Finish with the borrow before the move: use (or copy out of) `v.items` "
                     "before the move, or reorder so the move comes after the borrow's last "
                     "use. When you need a piece of the data afterwards, take an owned copy of "
                     "it first (`let copy = v.items.clone();`) instead of keeping a reference.")},
                 id="moved-into-closure"),
    # Moved into an async block while an unnamed future borrows it, its use not located.
    pytest.param("move-out-while-borrowed",
                 {"variable": "v", "moved_into": "async block", "borrower": "future"},
                 {"tldr": (
                     "`v` is moved while the pending future still borrows it; await it before the "
                     "move."),
                  "hover": (
                     "A future holds `&v` until it is awaited later, but `v` is moved into the "
                     "async block."),
                  "change": "Await the future before the move, or move `v` only after awaiting it.",
                  "fix.0": (
                     "Await the future before moving `v`: the future holds `&v` until it "
                     "completes, so move the `.await` up before the move (or move `v` only after "
                     "awaiting it).")},
                 id="moved-into-async-block-future-unnamed"),
    # --- return-ref-to-local ---------------------------------------------------------------------
    # A reference into a temporary value, which rustc does not name.
    pytest.param("return-ref-to-local",
                 {"source_kind": "temporary value", "function": "f", "line": 3,
                  "return_type": "&str", "owned_type": "String"},
                 {"what": (
                     "`f` (declared `-> &str`) hands back on line 3 a value that points into a "
                     "temporary value, which is dropped at the end of its statement, so the "
                     "returned reference would dangle the moment the caller received it."),
                  "tldr": (
                     "`f` returns a borrow of a temporary value, dropped at the end of its "
                     "statement; return `String` instead."),
                  "hover": (
                     "`f` is declared `-> &str`, but the reference it returns on line 3 points "
                     "into a temporary value, dropped at the end of its statement."),
                  "change": "Return `String` instead of `&str`."},
                 id="returned-temporary"),
    # --- temporary-dropped -----------------------------------------------------------------------
    # The `let` that keeps the borrow is known but not the whole statement.
    pytest.param("temporary-dropped",
                 {"line": 4, "expression": "make()", "binding": "s", "use_line": 5},
                 {"fix.0": (
                     "Give the temporary a name so it lives to the end of the block: `let "
                     "owner = make();` and build `s` from `owner` on the next line. That is "
                     "exactly rustc's own suggestion (it calls the binding `binding`).")},
                 id="binding-without-statement"),
    # The borrow outlives the block the statement sits in, and no assigned variable is known:
    # a `let` would die with the block, so keep an owned copy.
    pytest.param("temporary-dropped",
                 {"line": 5, "expression": "name.to_lowercase()", "use_line": 9,
                  "outlives_block": "yes"},
                 {"tldr": (
                     "`name.to_lowercase()` on line 5 is dropped at the semicolon while still "
                     "borrowed; keep an owned copy instead."),
                  "hover": (
                     "`name.to_lowercase()` on line 5 creates a value that nothing owns, so it is "
                     "dropped at the end of the statement; a borrow of it is still used on line "
                     "9."),
                  "change": (
                     "End the chain with `.to_string()` or `.to_owned()` and keep that owned "
                     "value: a `let` here would be dropped with its block."),
                  "fix.0": (
                     "The statement sits in an inner block (an `if` body or a loop), and the "
                     "borrow is used on line 9, after that block has ended. A `let` binding "
                     "inside the block would be dropped at its end too, so naming the temporary "
                     "does not help here: keep owned data in the outer variable instead.")},
                 id="used-after-its-block"),
]


@pytest.mark.parametrize(("family_id", "facts", "expected"), CASES)
def test_branch_text(family_id: str, facts: dict[str, FactValue],
                     expected: dict[str, str]) -> None:
    family = family_by_id(family_id)
    assert family is not None
    explanation = family.explain(Match(family=family, diagnostic=None, facts=facts))
    for part, text in expected.items():
        section, _, paragraph = part.partition(".")
        found = getattr(explanation, section)
        if paragraph:
            found = found.split("\n\n")[int(paragraph)]
        assert found == text, part
