"""A future is not `Send` because a `std::sync::MutexGuard` (or an `RwLock` guard) is alive
across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type
`std::sync::MutexGuard<'_, T>` which is not `Send`" on the guard (a named `let` or a temporary
such as `state.lock().unwrap()` in a `match`/`if let`/`while let` head) and "await occurs
here, with `guard` maybe used later". Facts: variable (or `expression` + `temporary` for a
temporary), type, `guard_source` (`state.lock()`), declaration and await lines, `scrutinee`,
`dropped_before_await` when the code already calls `drop(guard)`, the bound and the fn.
"""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


class SendMutexguardAcrossAwait(Family):
    id = "send-mutexguard-across-await"
    title = "Mutex guard held across an await"
    codes = ()
    priority = 20

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.MUTEX_GUARD:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        name = send.culprit_name(match, "the lock guard")
        source = match.fact("guard_source")
        type_ = match.fact("type") or ""
        await_ = send.await_phrase(match)
        rwlock = "RwLock" in type_ or bool(source and (source.endswith(".read()")
                                                        or source.endswith(".write()")))
        lock = "`RwLock`" if rwlock else "`Mutex`"
        tokio_lock = "`tokio::sync::RwLock`" if rwlock else "`tokio::sync::Mutex`"
        made_by = f" from `{source}`" if source else ""
        guard = (f"{name} ({send.a_type(type_)}{made_by})" if type_
                 else f"{name}{made_by}")
        head = match.fact("scrutinee")
        dropped = match.fact("dropped_before_await") == "true"
        variable = match.fact("variable")
        lock_call = f"{source}.unwrap()" if source else "state.lock().unwrap()"

        if head:
            situation = (f" It is a temporary in the head of a `{head}`, and temporaries there "
                         f"live until the end of the whole `{head}` — body and `.await` "
                         "included — even though you only use the guard in the head.")
            value = match.fact("scrutinee_value") or f"{lock_call}…"
            if head == "while let":
                first_fix = (f"Take the lock in its own `let` statement inside the loop, so the "
                             f"guard is dropped at its `;`: `loop {{ let next = {value}; let "
                             "Some(item) = next else { break }; … }`. Each turn locks, takes "
                             "one item, unlocks, and only then awaits.")
            else:
                first_fix = (f"Take the lock in its own `let` statement so the guard is dropped "
                             f"at its `;`: `let next = {value};`, then `{head}` on `next`. The "
                             "lock is released before the body runs and awaits. The value "
                             "must not borrow from the guard: an `Option<&T>` from `get`/"
                             "`first` needs `.cloned()` (and `next.as_ref()` in the head keeps "
                             "the patterns' types as they were).")
        elif dropped:
            situation = (f" The code already calls `drop({variable})` before the await, but "
                         f"rustc still counts {name}: it was borrowed (dereferenced or used "
                         "through a method) earlier, and a borrowed local is treated as alive "
                         "until the end of its scope, whatever `drop` does.")
            first_fix = (f"Replace the `drop({variable})` with a block that ends the guard's "
                         f"scope: `let copy = {{ let {variable} = {lock_call}; "
                         f"{variable}.field.clone() }};` then await. Only the cloned data "
                         "crosses the await.")
        else:
            situation = ""
            first_fix = (f"End the guard's scope before the await: do the locked work in a "
                         f"block `{{ let {variable or 'guard'} = {lock_call}; … }}` that "
                         "returns the owned values you need, then `.await` outside it, and "
                         "lock again afterwards if you must write the result back.")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"{name} (a std {lock} guard) is held across {await_}; end its scope in a "
                  "block before the await."),
            what=(
                f"{send.cap(guard)} is still alive at {await_}{send.place_phrase(match)}"
                f". A std lock guard is not `Send`, so "
                f"{send.future_phrase(match)} is not `Send`, and {send.bound_phrase(match)}."
                f"{situation}\n\n"
                "The squiggle is on the spawn, but the guard is the culprit: the fix belongs "
                "where the lock is taken."
            ),
            why=(
                "A `std::sync::MutexGuard` must be released by the same thread that locked "
                "it (some platforms' locks require it), so the guard is deliberately `!Send`. "
                "Anything alive at an `.await` is saved in the future's state and may resume on "
                "another worker thread, so the future cannot be `Send` while it holds the "
                "guard.\n\n"
                "Even where it compiles (a single-threaded runtime), holding a blocking lock "
                "across an await is a bug in waiting: the task sleeps with the lock taken, and "
                "any other task on the same thread that tries to lock it blocks the thread — "
                "a deadlock."
            ),
            fix=(
                f"{first_fix}\n\n"
                "If the guard is still used after the await (you write back through it), no "
                "block can end it earlier: split the work into lock–copy–unlock, await, "
                "lock–write, or hold an async lock across the await.\n\n"
                f"Keep std's {lock} when the critical section is short and synchronous: it is "
                f"faster than the async one. Switch to {tokio_lock} only when the lock really "
                "must stay held across the await (for example, to serialise a whole "
                "read-modify-write that includes I/O); its guard is `Send` and `.lock().await` "
                "yields instead of blocking the thread, at the cost of a slower lock and of "
                "holding it while suspended.\n\n"
                "For a counter or a flag, an atomic (`AtomicU64`, `AtomicBool`) needs no guard "
                "at all."
            ),
            rule=(
                "Never hold a std `Mutex`/`RwLock` guard across an `.await`: lock, copy out, "
                "unlock (end the scope), then await. Reach for an async lock only when the "
                "critical section itself has to await.\n\n" + send.ONE_AT_A_TIME
            ),
            caveat=(
                "rustc's analysis is scope-based and over-approximates. In current rustc "
                "(checked with 1.95), `drop(guard)` before the await is honoured only if the "
                "guard was never "
                "borrowed; once you have read through it (`*guard`, `guard.field`, "
                "`guard.push(…)`), it counts as alive until its block ends, so `drop` is not "
                "enough. A temporary guard in a `match`, `if let` or `while let` head lives "
                "through the whole body. A guard dropped at the end of a plain statement "
                "(`*state.lock().unwrap() += 1;`) is fine. The workaround that always works: "
                "a block `{ … }` (or a separate `let`) that ends before the `.await`."
            ),
            links=(
                Link("std::sync::MutexGuard",
                     "https://doc.rust-lang.org/std/sync/struct.MutexGuard.html"),
                Link("tokio::sync::Mutex (which mutex to use)",
                     "https://docs.rs/tokio/latest/tokio/sync/struct.Mutex.html"),
                Link("Rust Reference: temporary scopes",
                     "https://doc.rust-lang.org/reference/destructors.html#temporary-scopes"),
                *send.SEND_LINKS,
            ),
        )


    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """End the guard's scope before the await: a block around a named guard, or a `let`
        for a temporary guard in a `match`/`if let`/`while let` head (see `fixes/guards`)."""
        return rewrites.guard_fixes(match, sources, refcell=False)


FAMILY = SendMutexguardAcrossAwait()
