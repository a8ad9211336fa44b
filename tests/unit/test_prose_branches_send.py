"""Branches of the send/, traits/ and recursive-async prose templates that no fixture and no
generic explanation reaches (captured values, awaits without a type, rare heads …).

Each case builds a Match with the facts of that branch and compares parts of the explanation
(`what`, `hover`, `change`, or `fix.1` for the first paragraph of the fix) with the wording
the template gives that branch, so a change to it is a deliberate edit of this file.
"""

from __future__ import annotations

import pytest

from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Match
from borrowlens.analyses.families.registry import family_by_id

# (case id, family, facts, {part: the old text})
CASES: list[tuple[str, str, dict[str, FactValue], dict[str, str]]] = [
    ("captured-value", "future-not-send",
     {"variable": "err", "type": "Session", "captured": "true", "decl_line": 9,
      "spawn": "tokio::spawn"},
     {"tldr": "`err` (a `Session`) is captured by a future that must be `Send`; make it "
              "`Send`.",
      "hover": "`err` (line 9) is captured by the spawned `async` block.",
      "change": "Replace the part of `err` that is not `Send` (rustc's `help:` line names it) "
                "with a thread-safe type, or end its scope before the await.",
      "what.1": "`err` is a `Session`, which is not `Send`, and the future captures it (declared "
                "on line 9). So the future is not `Send`, and `tokio::spawn` requires its "
                "future to be `Send`."}),
    ("awaited-without-type", "future-not-send", {"awaited": "fetch()", "await_line": 12},
     {"what.1": "At the `.await` on line 12, the future awaits `fetch()`, and that future is not "
                "`Send`. While awaiting, the outer future stores the inner one, so it is not "
                "`Send` either, and something (a `spawn`, or a `Send` bound you wrote) requires "
                "the future to be `Send`."}),
    ("dropped-before-await", "send-refcell-guard-across-await",
     {"variable": "g", "type": "RefMut<'_, u8>", "guard_source": "cell.borrow_mut()",
      "dropped_before_await": "true", "await_line": 7, "decl_line": 5},
     {"what.1": "`g` (a `RefMut<'_, u8>` from `cell.borrow_mut()`) is still alive at the "
                "`.await` on line 7 (declared on line 5). A `Ref`/`RefMut` is not `Send`, so "
                "the future is not `Send` either, and something (a `spawn`, or a `Send` bound "
                "you wrote) requires the future to be `Send`. The code already calls `drop(g)`, "
                "but rustc still counts the borrow: once a guard has been used through (`*g`, "
                "`g.len()`), its whole scope is treated as alive, whatever `drop` does.",
      "fix.1": "End the borrow before awaiting: put the `let` that creates `g` and the "
               "statements that use it in a block `{ … }` that closes before the `.await`, and "
               "let the block hand out only owned values (`let value = "
               "cell.borrow().clone();`, a length, a cloned item). Borrow again after the "
               "await if you need to write the result back. The block replaces the "
               "`drop(g)`."}),
    ("while-let-head", "send-refcell-guard-across-await",
     {"expression": "cell.borrow_mut()", "scrutinee": "while let",
      "guard_source": "cell.borrow_mut()"},
     {"fix.1": "Move the `while let` head into its own `let` before it, so the borrow ends at "
               "that statement's `;`: `let next = cell.borrow_mut()…;` (add `.cloned()` when "
               "it is an `Option<&T>`), then `while let` on `next` inside a `loop` that "
               "`break`s when there is no next item. Only the owned value is alive at the "
               "await.",
      "change": "Take the `while let` value out in a `let` before it, so the borrow ends at "
                "that `;`."}),
    ("raw-pointer-across-await", "sync-captured-by-reference",
     {"variable": "c", "type": "*const u8", "await_line": 8},
     {"tldr": "`c` (a raw pointer, `*const u8`) is held across an await in a future that must be "
              "`Send`; move owned data in instead.",
      "hover": "`c` is still alive at the `.await` on line 8. A raw pointer is never `Send`: "
               "the compiler cannot tell what it points to or who else uses it.",
      "what": "`c` (a raw pointer, `*const u8`) is still alive at the `.await` on line 8. Raw "
              "pointers are neither `Send` nor `Sync`: the compiler cannot know what they point "
              "to or who else uses it, so the future is not `Send`, and something (a `spawn`, "
              "or a `Send` bound you wrote) requires the future to be `Send`.\n\nThe squiggle "
              "is where the future must be `Send`; the thing to change is the type behind "
              "`c`."}),
    ("reference-without-declaration", "sync-captured-by-reference",
     {"variable": "c", "type": "&Cell<u32>", "not_sync": "Cell<u32>"},
     {"what": "`c` (a `&Cell<u32>`) is still alive at an `.await`, and `Cell<u32>` behind it is "
              "not `Sync`. A `&T` (and an `Arc<T>`) may be sent to another thread only if `T` "
              "is `Sync`, since both threads could then use `T` at the same time, so the future "
              "is not `Send`, and something (a `spawn`, or a `Send` bound you wrote) requires "
              "the future to be `Send`.\n\nThe squiggle is where the future must be `Send`; "
              "the thing to change is the type behind `c` (`Cell<u32>`, often a field of a "
              "struct you pass by reference)."}),
    ("async-fn-future", "cannot-be-unpinned",
     {"type": "{async fn body of f()}", "variable": "fut", "required_by": "Pin::new"},
     {"tldr": "`fut` (`impl Future`) is polled through a plain `&mut` but is not `Unpin`; pin "
              "it with `pin!` first.",
      "what.1": "`Pin::new` on `fut` holds the value by a plain `&mut`, so it needs the value "
                "to be `Unpin` — safe to move even after it has started running. `fut` (`impl "
                "Future`) is not `Unpin`, so it may only be polled through a `Pin`, which "
                "promises it will never move again.",
      "change": "Pin it once, before it is first polled: `let mut fut = std::pin::pin!(fut);`."}),
    ("field-of-unknown-type", "cannot-be-unpinned", {"variable": "self.fut"},
     {"tldr": "`self.fut` is polled through a plain `&mut` but is not `Unpin`; store it as a "
              "`Pin<Box<…>>` field.",
      "change": "Declare the field as `Pin<Box<F>>`, build it with `Box::pin(…)`, and poll it "
                "with `self.fut.as_mut().poll(cx)`.",
      "what.1": "`Pin::new` on `self.fut` holds the value by a plain `&mut`, so it needs the "
                "value to be `Unpin` — safe to move even after it has started running. "
                "`self.fut` is not `Unpin`, so it may only be polled through a `Pin`, which "
                "promises it will never move again.",
      "fix.1": "`self.fut` is a field, so a local `let … = pin!(…)` cannot pin it. Store it "
               "pinned instead: declare the field as `Pin<Box<F>>`, build it with "
               "`Box::pin(…)` wherever the struct is created, and poll it with "
               "`self.fut.as_mut().poll(cx)`. The box never moves its contents and is itself "
               "`Unpin`, so unless another field pins the struct, the struct becomes `Unpin` "
               "and `self` gives plain `&mut` access to its fields again. The cost is one "
               "allocation per future."}),
    ("shared-by-reference", "thread-spawn-not-send",
     {"type": "&Cell<u8>", "trait": "Sync", "variable": "rx", "spawn": "std::thread::spawn"},
     {"tldr": "`rx` (`&Cell<u8>`) is shared across threads by reference but is not `Sync`; use "
              "an atomic such as `AtomicUsize` instead.",
      "hover": "The closure passed to `std::thread::spawn` runs on another thread and shares a "
               "`&Cell<u8>`. Data shared between threads must be `Sync`, and `&Cell<u8>` is "
               "not.",
      "what.1": "The closure given to `std::thread::spawn` reaches `rx` (`&Cell<u8>`) by "
                "reference. A closure can only go to another thread if it is `Send`, and a "
                "shared handle (`&T`, `Arc<T>`) is `Send` only when `T` is `Sync` — safe to "
                "touch from two threads at once. `&Cell<u8>` is not."}),
    ("raw-pointer", "thread-spawn-not-send", {"type": "*mut u8"},
     {"caveat": "Raw pointers are never `Send`, even when the data they point to is safe to "
                "share. If you have checked that it is, wrap the pointer in your own struct "
                "and write `unsafe impl Send for Wrapper {}` with a comment saying why; a "
                "closure that captures the wrapper is then accepted."}),
    ("rc-used-again-by-a-loop", "send-rc-across-await",
     {"variable": "cache", "type": "Rc<Cache>", "decl_line": 4, "await_line": 9,
      "used_after_await": "true", "used_after_line": 6},
     {"hover": "`cache` is created on line 4 and still alive at the `.await` on line 9, since "
               "the loop around it uses it again: the future holds an `Rc`, so it is not `Send`."}),
    ("rc-liveness-unknown", "send-rc-across-await",
     {"variable": "cache", "type": "Rc<Cache>", "decl_line": 4, "await_line": 9},
     {"tldr": "`cache` (an `Rc<Cache>`) is alive across the `.await` on line 9; make it an "
              "`Arc<Cache>`.",
      "hover": "`cache` (line 4) is still alive at the `.await` on line 9, so the future holds "
               "an `Rc` and is not `Send`.",
      "change": "Create it as an `Arc<Cache>` on line 4."}),
    ("rc-weak-captured-clone", "send-rc-across-await",
     {"variable": "link", "type": "std::rc::Weak<Node>", "captured": "true", "decl_line": 7,
      "capture_line": 9, "cloned_from": "node", "cloned_from_line": 5, "spawn": "tokio::spawn"},
     {"tldr": "`link` (an `rc::Weak<Node>`) is moved into the spawned task, but `rc::Weak` is "
              "not `Send`; use a `sync::Weak<Node>`.",
      "hover": "`link` (line 7) is used inside the spawned `async` block on line 9, so the task "
               "owns it, and an `rc::Weak` there makes the task non-`Send`.",
      "change": "Create `node` with `Arc::new` (line 5) and clone it with `Arc::clone` (line 7), "
                "downgrading with `Arc::downgrade`."}),
    ("mutex-head-without-value", "send-mutexguard-across-await",
     {"expression": "jobs.lock().unwrap()", "temporary": "true", "scrutinee": "match",
      "guard_source": "jobs.lock()", "await_line": 8, "decl_line": 6},
     {"change": "Take the `match` value out in a `let` before it, so the guard ends at that `;`.",
      "fix.1": "Take the lock in its own `let` statement so the guard is dropped at its `;`: "
               "`let next = jobs.lock().unwrap()…;`, then `match` on `next`. The lock is "
               "released before the body runs and awaits. The value must not borrow from the "
               "guard: an `Option<&T>` from `get`/`first` needs `.cloned()` (and `next.as_ref()` "
               "in the head keeps the patterns' types as they were)."}),
    ("mutex-dropped-tldr", "send-mutexguard-across-await",
     {"variable": "g", "guard_source": "m.lock()", "dropped_before_await": "true",
      "await_line": 9, "decl_line": 6},
     {"tldr": "`g` (a `Mutex` guard) still counts at the `.await` on line 9 despite `drop(g)`; "
              "use a block instead."}),
    ("awaited-without-boxed-type", "future-not-send",
     {"awaited": "fetch()", "await_line": 12},
     {"tldr": "`fetch()` gives a future that is not `Send`, awaited on line 12; make that future "
              "`Send`.",
      "hover": "At the `.await` on line 12, the future awaits `fetch()`, which does not promise "
               "`Send`; while it waits, the outer future holds it, so it is not `Send` either.",
      "change": "Make the awaited future `Send`: return `Pin<Box<dyn Future<Output = …> + "
                "Send>>` or `impl Future<Output = …> + Send` from the function that creates it."}),
    ("dyn-trait-without-its-line", "future-not-send",
     {"variable": "job", "type": "Job", "inner_type": "Box<dyn Task>", "decl_line": 3,
      "await_line": 5},
     {"change": "Write `dyn Task + Send` where the trait object's type is declared."}),
    ("value-not-used-after", "future-not-send",
     {"variable": "buf", "type": "Buffer", "decl_line": 3, "await_line": 5,
      "used_after_await": "false"},
     {"tldr": "`buf` (a `Buffer`) is alive across the `.await` on line 5 in a future that must "
              "be `Send`; make it `Send` or end its scope before the await.",
      "change": "End `buf`'s scope in a block `{ … }` that closes before the `.await` on line 5."}),
    ("inner-type-used-after", "future-not-send",
     {"variable": "buf", "type": "Buffer", "inner_type": "NonNull<u8>", "decl_line": 3,
      "await_line": 5, "used_after_await": "true", "used_after_line": 6},
     {"hover": "`buf` (line 3) is still alive at the `.await` on line 5 and used again on line "
               "6. It holds a `NonNull<u8>`, which is not `Send`.",
      "change": "Replace a `NonNull<u8>` inside `buf` with a thread-safe type (`Rc` → `Arc`, "
                "`RefCell` → `Mutex`, `Cell` → an atomic)."}),
    ("struct-reference-local", "sync-captured-by-reference",
     {"variable": "hits", "type": "&Counter", "not_sync": "Cell<u64>", "decl_line": 4,
      "await_line": 8, "used_after_await": "true", "used_after_line": 9},
     {"hover": "`hits` (a `&Counter`, line 4) is still alive at the `.await` on line 8, used "
               "again on line 9. It reaches `Cell<u64>`, which is not `Sync`, and a reference to "
               "data that is not `Sync` is not `Send`.",
      "change": "Use an `AtomicU64` instead of `Cell<u64>`; `.get()`/`.set()` become "
                "`.load()`/`.store()` with an ordering."}),
    ("reference-without-twin", "sync-captured-by-reference",
     {"variable": "rx", "type": "&Receiver<u8>", "not_sync": "Receiver<u8>", "decl_line": 4,
      "await_line": 8},
     {"change": "Replace `Receiver<u8>` with a thread-safe type: an atomic, a `Mutex` or an "
                "`RwLock`."}),
    ("cell-by-reference-no-line", "thread-spawn-not-send",
     {"variable": "flag", "type": "Cell<bool>", "trait": "Sync", "via": "&Cell<bool>",
      "spawn": "std::thread::spawn"},
     {"change": "Use `AtomicBool` instead of `Cell<bool>`.",
      "fix.2": "If the value does not need to be shared at all, build it inside the closure (or "
               "send only plain owned data such as a `String` or a `Vec`) so it never crosses "
               "threads. When threads only need to borrow locals for a while, "
               "`std::thread::scope` lets them do so without `Arc`, but whatever they share must "
               "still be `Sync`."}),
    ("select-outside-a-loop", "cannot-be-unpinned",
     {"variable": "fut", "type": "Sleep", "required_by": "tokio::select!", "use_line": 9,
      "decl_line": 5, "decl_kind": "let"},
     {"change": "Pin it once: add `let mut fut = std::pin::pin!(fut);` after line 5, and keep "
                "`&mut fut` in the `select!`."}),
    ("recursion-without-call-line", "recursive-async",
     {"function": "walk"},
     {"change": "Write `Box::pin(walk(…)).await`; a boxed future is one pointer in the caller's "
                "state."}),
]

# thread-spawn-not-send: the advice for each type no fixture sends to a thread (the short one
# ends the tldr, the long one opens the fix, before the list of typical swaps).
REPLACEMENTS = [
    ("std::rc::Weak<u8>", "use `std::sync::Weak` instead",
     "`std::sync::Weak`, the weak pointer that goes with `Arc`"),
    ("OnceCell<u8>", "use `OnceLock` instead", "`std::sync::OnceLock`, the thread-safe `OnceCell`"),
    ("MutexGuard<'_, u8>", "take the lock inside the thread instead",
     "taking the lock inside the thread instead of sending the guard"),
    ("*mut u8", "send owned data instead",
     "owned data (or a wrapper type with a justified `unsafe impl Send`)"),
    ("*const u8", "send owned data instead",
     "owned data (or a wrapper type with a justified `unsafe impl Send`)"),
    ("Foo", "use a thread-safe type instead", "its thread-safe counterpart"),
]


def _part(explanation: Explanation, part: str) -> str | None:
    """`what`: the whole part; `what.1`: its first paragraph."""
    name, _, paragraph = part.partition(".")
    text: str | None = getattr(explanation, name)
    if paragraph and text is not None:
        return text.split("\n\n")[int(paragraph) - 1]
    return text


@pytest.mark.parametrize(("family_id", "facts", "expected"), [case[1:] for case in CASES],
                         ids=[f"{case[1]}:{case[0]}" for case in CASES])
def test_branch_renders_as_before(family_id: str, facts: dict[str, FactValue],
                                  expected: dict[str, str]) -> None:
    family = family_by_id(family_id)
    assert family is not None
    explanation = family.explain(Match(family=family, diagnostic=None, facts=facts))
    for part, text in expected.items():
        assert _part(explanation, part) == text, part


@pytest.mark.parametrize(("type_", "short", "long"), REPLACEMENTS,
                         ids=[row[0] for row in REPLACEMENTS])
def test_thread_spawn_replacement_renders_as_before(type_: str, short: str, long: str) -> None:
    family = family_by_id("thread-spawn-not-send")
    assert family is not None
    explanation = family.explain(Match(family=family, diagnostic=None, facts={"type": type_}))
    assert explanation.tldr == f"`{type_}` is moved into a thread, but it is not `Send`; {short}."
    assert explanation.fix.startswith(f"Swap `{type_}` for {long}; the code that uses it barely "
                                      "changes. Typical swaps: ")
