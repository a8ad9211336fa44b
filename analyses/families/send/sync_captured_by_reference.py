"""A future is not `Send` because it holds a shared reference to something that is not `Sync`
(`&Cell<…>`, `&RefCell<…>`, `&self` of a struct with such a field, an `Arc` of one), or a raw
pointer (`*const T`/`*mut T` are neither `Send` nor `Sync`).

rustc: "future cannot be sent between threads safely" with "has type `&Cell<u32>` which is not
`Send`", "because `Counter` is not `Sync`", or "the trait `Sync` is not implemented for `X`";
across an `.await` or as a "captured value". Facts: variable, type, `referent` / `not_sync`
(the type that is not `Sync`), declaration, await or capture line, bound, fn.
"""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.rust.sources import Sources


def _shared_type(match: Match) -> str | None:
    """The type that fails to be `Sync` (`Cell<u32>`), or None."""
    return match.fact("not_sync") or match.fact("referent")


class SyncCapturedByReference(Family):
    id = "sync-captured-by-reference"
    title = "Future holds a reference to non-Sync data"
    codes = ()
    notes = send.NOTES
    design_choices = "atomics, `Mutex`/`RwLock`, copying the value out, `spawn_local`"
    refines = ("future-not-send",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.SYNC_REF:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        name = send.culprit_name(match, "the reference")
        type_ = match.fact("type") or ""
        shared = _shared_type(match)
        raw = type_.startswith(("*const ", "*mut "))
        captured = match.fact("captured") == "true"
        await_ = send.await_phrase(match)
        line = match.fact("decl_line")
        declared = f", declared on line {line}" if line else ""
        held = ("is captured by the future" if captured
                else f"is still alive at {await_}{send.inside_phrase(match)}")
        if raw:
            is_a = f"{name} (a raw pointer, `{type_}`{declared}) {held}"
            reason = "raw pointers are neither `Send` nor `Sync`: the compiler cannot know " \
                     "what they point to or who else uses it"
            how = "captured by" if captured else "held across an await in"
            tldr = (f"{name} (a raw pointer, `{type_}`) is {how} "
                    "a future that must be `Send`; pass owned data or an `Arc`, or wrap the "
                    "pointer in a type you vouch for.")
        else:
            shown = f"`{shared}`" if shared else "the data it points to"
            is_a = (f"{name} ({send.a_type(type_)}{declared}) {held}" if type_
                    else f"{name}{f' ({declared[2:]})' if declared else ''} {held}")
            is_a += f", and {shown} behind it is not `Sync`" if shared else ""
            reason = ("a `&T` (and an `Arc<T>`) may be sent to another thread only if `T` is "
                      "`Sync`, since both threads could then use `T` at the same time")
            tldr = (f"{name} shares {shown} (not `Sync`) with a future that must be `Send`; "
                    "use a thread-safe type (atomic, `Mutex`) or move an owned value in.")
        what = (
            f"{send.cap(is_a)}. {send.cap(reason)}, so {send.future_phrase(match)} is "
            f"not `Send`, and {send.bound_phrase(match)}.\n\n"
            "The squiggle is on the spawn; the thing to change is the type behind "
            f"{name}" + (f" (`{shared}`, often a field of a struct you pass by reference)"
                         if shared and not raw else "") + "."
        )
        why = (
            "A future stores everything it needs after an `.await` — including references and "
            "captured variables — as fields of its state machine, and it is `Send` only if "
            "every field is. `Send` for a reference is derived: `&T: Send` exactly when "
            "`T: Sync`, because sending the reference lets two threads look at the same `T`.\n\n"
            "`Cell` and `RefCell` allow mutation through `&` without any locking, which is only "
            "sound on one thread, so they are not `Sync`. A struct with such a field is not "
            "`Sync` either, so `&self` in an `async fn` on it (or an `Arc` of it) makes the "
            "future `!Send`, even if the field is never touched after the await."
        )
        if raw:
            fix = (
                "Do not move the raw pointer into the task. Move owned data instead (the `Vec` "
                "itself, or an `Arc<Mutex<Vec<…>>>` shared with the caller) and index it inside "
                "the task.\n\n"
                "If the pointer really is safe to use from another thread (you own the "
                "allocation and guarantee exclusive access), wrap it in a newtype and write "
                "`unsafe impl Send for Wrapper {}` with a comment that states the guarantee. "
                "That moves the proof from the compiler to you.\n\n" + send.LOCAL_EXECUTOR
                + "\n\nNo quick fix is offered: whether the pointer can be replaced by owned "
                "data or vouched for is a decision only you can make."
            )
        else:
            cell = f"`{shared}`" if shared else "the `Cell`/`RefCell`"
            fix = (
                f"Make the shared data thread-safe: replace {cell} "
                "with an atomic for numbers and flags (`Cell<u64>` → `AtomicU64`, `Cell<bool>` → "
                "`AtomicBool`, updated with `fetch_add`/`store`), or with `Mutex<T>`/`RwLock<T>` "
                "for other data (`RefCell<T>` → `Mutex<T>`). Then `&T` and `Arc<T>` are `Send`.\n\n"
                "If the future only needs a value, not the shared cell, read it before the task "
                "or the await (`let n = counter.get();`) and move the plain value in; or let the "
                "task own its own data instead of borrowing the caller's.\n\n"
                + send.LOCAL_EXECUTOR + "\n\n"
                "No quick fix is offered: the thread-safe replacement changes how every use "
                "reads (an atomic's `.load()`/`.store()` take a memory ordering; a `Mutex` "
                "adds a lock that must not be held across an `.await`), and whether reading "
                "the value early is right depends on what the task expects to see — choices "
                "to make by hand."
            )
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=tldr,
            what=what,
            why=why,
            fix=fix,
            rule=(
                "A future that crosses threads may only reference data that is `Sync`. Interior "
                "mutability for one thread (`Cell`, `RefCell`) and raw pointers do not cross "
                "threads; atomics, `Mutex` and `RwLock` do.\n\n" + send.ONE_AT_A_TIME
            ),
            caveat=(
                "rustc counts a reference as held for its whole scope, not until its last use: a "
                "`&Cell` parameter of an `async fn` is part of the future from the first poll to "
                "the end, even if it is only used before the first `.await`. Reading the value "
                "into a local in a non-async wrapper, and passing the value to the `async fn` "
                "instead of the reference, avoids it."
            ),
            links=(
                Link("std::marker::Sync", "https://doc.rust-lang.org/std/marker/trait.Sync.html"),
                Link("std::sync::atomic", "https://doc.rust-lang.org/std/sync/atomic/index.html"),
                Link("The Rustonomicon: Send and Sync",
                     "https://doc.rust-lang.org/nomicon/send-and-sync.html"),
                *send.SEND_LINKS,
            ),
        )


FAMILY = SyncCapturedByReference()
