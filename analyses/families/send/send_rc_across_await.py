"""A future is not `Send` because an `Rc` (or `rc::Weak`) is alive across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type `Rc<…>` which is not
`Send`" (or a struct holding one) and "await occurs here, with `x` maybe used later"; or, for
a spawned async block, "captured value is not `Send`". Facts: the variable, its type, where it
is declared, the await, the bound that asked for `Send` and the function whose future it is.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.families.base import Explanation, Family, Link, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.fixes import rc_to_arc as _rc_fix
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources

_WEAK = re.compile(r"^&?(?:(?:std|alloc)::)?(?:rc::)?Weak<")


def _thread_safe(type_: str) -> str:
    """The `Arc` spelling of an `Rc` type: `Rc<RefCell<T>>` becomes `Arc<Mutex<T>>`."""
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<(?:(?:std|core)::cell::)?(?:RefCell|Cell)<",
                 "Arc<Mutex<", type_)
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<", "Arc<", out)
    return re.sub(r"(?:(?:std|alloc)::)?rc::Weak<|^Weak<", "std::sync::Weak<", out)


class SendRcAcrossAwait(Family):
    id = "send-rc-across-await"
    title = "Rc held across an await in a Send future"
    codes = ()
    priority = 20

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.RC:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        name = send.culprit_name(match)
        type_ = match.fact("type")
        inner = match.fact("inner_type")
        captured = match.fact("captured") == "true"
        await_ = send.await_phrase(match)
        rc_type = inner if inner and ("Rc<" in inner or "Weak<" in inner) else type_
        if type_ and inner and inner != type_:
            is_a = f"{name} is {send.a_type(type_)}, which holds {send.a_type(inner)}"
        elif type_:
            is_a = f"{name} is {send.a_type(type_)}"
        else:
            is_a = f"{name} is (or contains) an `Rc`"
        arc = f"`{_thread_safe(rc_type)}`" if rc_type and ("Rc<" in rc_type
                                                          or "Weak<" in rc_type) else "an `Arc`"
        weak = _WEAK.match(rc_type or "") is not None
        pointer = "an `rc::Weak`" if weak else "an `Rc`"
        holder = (f"{name} (which holds {send.a_type(inner)})" if type_ and inner
                  and inner != type_ else f"{name} ({pointer})")
        if captured:
            problem = (f"{is_a}{send.decl_phrase(match)}, and the async block captures it "
                       "(moves it in), so it travels with the task")
            tldr = (f"{holder} is captured by the spawned future and "
                    f"{'`rc::Weak`' if weak else '`Rc`'} is not `Send`; use {arc} (or keep "
                    f"{'it' if weak else 'the `Rc`'} out of the task).")
        else:
            problem = (f"{is_a}{send.decl_phrase(match)}, and it is still alive at {await_}"
                       f"{send.inside_phrase(match)}")
            tldr = (f"{holder} is alive across {await_}; use {arc}, or end its scope before "
                    "the await.")
        change = (f"the `{inner}` inside `{type_}`" if type_ and inner and inner != type_
                  else f"{name} itself")
        what = (
            f"{send.cap(problem)}. {send.cap(send.future_phrase(match))} therefore stores "
            f"{pointer} in its state, and {send.bound_phrase(match)}, so the compiler "
            "rejects it.\n\n"
            "The error is reported where the future is handed over (the squiggle), but the "
            f"thing to change is {change}"
            + (f" on line {match.fact('decl_line')}." if match.fact("decl_line") else ".")
        )
        why = (
            "An async fn or block compiles to a state machine: every local that is still needed "
            "after an `.await` becomes a field of the future, saved while the task is suspended. "
            "A struct is `Send` only if all of its fields are, so one `Rc` field makes the whole "
            "future `!Send`.\n\n"
            "`Rc` is not `Send` because its reference count is a plain integer updated without "
            "atomics. A multi-threaded executor may resume the task on another thread; if a "
            "clone of the `Rc` stayed behind, both threads could change the count at once and "
            "free the value too early or never. `Arc` pays for atomic updates and is `Send` "
            "(when what it points to is `Send + Sync`)."
        )
        first = (
            (f"Replace the `rc::Weak` with {arc}, and the `Rc` it is downgraded from with "
             "`Arc` (`Rc::downgrade` becomes `Arc::downgrade`). If the ") if weak else
            ("Replace the `Rc` with `Arc`" + (f" — {arc} —" if arc != "an `Arc`" else "")
             + " and `Rc::clone` with `Arc::clone`. If the ")
        )
        fix = (
            first
            +
            "`Rc` wrapped a `RefCell` or `Cell`, the thread-safe pair is `Arc<Mutex<…>>` "
            "(`.borrow_mut()` becomes `.lock().unwrap()`), `Arc<RwLock<…>>`, or an atomic for a "
            "plain counter, because `RefCell` and `Cell` are not `Sync`.\n\n"
            + ("Alternatively, do not move the `Rc` into the task: move out only the owned data "
               "the task needs (a clone of the inner value, an id), and keep the `Rc` on the "
               "spawning side.\n\n" if captured else
               "If the `Rc` is only needed before the await, end its scope first: put its use in "
               "a block `{ … }` that finishes before the `.await`, and carry out only plain "
               "values (a `usize`, a cloned `String`).\n\n")
            + send.LOCAL_EXECUTOR
            + "\n\n" + _rc_fix.FIX_NOTE
        )
        rule = (
            "Everything alive at an `.await` is part of the future, and a spawned future must be "
            "`Send` end to end. Share data between tasks with `Arc`, never `Rc`; keep `Rc` for "
            "single-threaded code.\n\n" + send.ONE_AT_A_TIME
        )
        caveat = (
            "rustc decides what is \"alive\" at an await by scope, not by last use. A value "
            "that is dereferenced or has a method called on it stays counted until the end of "
            "its block, even if you call `drop(x)` before the await; only a value that was never "
            "borrowed is released by `drop`. The reliable workaround is a block `{ … }` that "
            "ends the value's scope before the `.await`."
        )
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=tldr,
            what=what,
            why=why,
            fix=fix,
            rule=rule,
            caveat=caveat,
            links=(
                Link("std::rc::Rc (thread safety)",
                     "https://doc.rust-lang.org/std/rc/index.html"),
                Link("std::sync::Arc", "https://doc.rust-lang.org/std/sync/struct.Arc.html"),
                *send.SEND_LINKS,
            ),
        )

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`rc-to-arc`: the culprit and every value it is cloned from or into become `Arc`
        (an inner `RefCell` a `Mutex`), with their `use` lines; nothing when any use of
        those values is not understood."""
        return _rc_fix.send_rc_fixes(match, sources)


FAMILY = SendRcAcrossAwait()
