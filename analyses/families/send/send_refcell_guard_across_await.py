"""A future is not `Send` because a `Ref`/`RefMut` from a `RefCell` is alive across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type `RefMut<'_, T>` which is
not `Send`" on the guard and "await occurs here, with `guard` maybe used later". rustc often
emits the same error twice for one guard (once for its `NonNull` pointer, once for its
`&Cell<isize>` borrow flag); both belong here. Facts: the guard variable (or temporary), its
type, `guard_source` (`cell.borrow_mut()`), declaration and await lines, the bound, the fn.
"""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


class SendRefcellGuardAcrossAwait(Family):
    id = "send-refcell-guard-across-await"
    title = "RefCell borrow held across an await"
    codes = ()
    priority = 20

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.REFCELL_GUARD:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        name = send.culprit_name(match, "the borrow guard")
        source = match.fact("guard_source")
        type_ = match.fact("type")
        await_ = send.await_phrase(match)
        made_by = f" from `{source}`" if source else " from `RefCell::borrow()`/`borrow_mut()`"
        guard = f"{name} ({send.a_type(type_)}{made_by})" if type_ else f"{name}{made_by}"
        head = match.fact("scrutinee")
        variable = match.fact("variable")
        dropped = match.fact("dropped_before_await") == "true"
        temporary = (f" It is a temporary in the head of a `{head}`, so it lives until the end "
                     f"of the whole `{head}`, body included." if head else "")
        if dropped and variable:
            temporary = (f" The code already calls `drop({variable})`, but rustc still counts "
                         "the borrow: once a guard has been used through (`*g`, `g.len()`), "
                         "its whole scope is treated as alive, whatever `drop` does.")
        reader = source.replace("borrow_mut()", "borrow()") if source else None
        copy_out = (f"let value = {reader}.clone();" if reader
                    else "let value = cell.borrow().clone();")
        if head:
            value = match.fact("scrutinee_value") or f"{source or 'cell.borrow()'}…"
            first_fix = (f"Move the `{head}` head into its own `let` before it, so the borrow "
                         f"ends at that statement's `;`: `let next = {value};` (add "
                         "`.cloned()` when it is an `Option<&T>`), then "
                         f"`{head}` on `next`"
                         + (" inside a `loop` that `break`s when it is `None`"
                            if head == "while let" else "")
                         + ". Only the owned value is alive at the await.")
        else:
            first_fix = (f"End the borrow before awaiting: put the `let` that creates "
                         f"{name if variable else 'the guard'} and the statements that use it "
                         "in a block `{ … }` that closes before the `.await`, and let "
                         f"the block hand out only owned values (`{copy_out}`, a length, a "
                         "cloned item). Borrow again after the await if you need to write "
                         "the result back."
                         + (f" The block replaces the `drop({variable})`." if dropped else ""))
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"{name} (a `RefCell` borrow) is alive across {await_}; "
                  + (f"take the `{head}` value in a `let` before it"
                     if head else "end the borrow in a block before the await")
                  + " (a `Mutex` alone would not help)."),
            what=(
                f"{send.cap(guard)} is still alive at "
                f"{await_}{send.place_phrase(match)}. A `Ref`/`RefMut` "
                f"is not `Send`, so {send.future_phrase(match)} is not `Send` either, and "
                f"{send.bound_phrase(match)}.{temporary}\n\n"
                "rustc may print this error twice for the same guard — once for the pointer "
                "inside the guard, once for its borrow counter (`Cell<isize>` is not `Sync`). "
                f"Both point at the same fix: {name}."
            ),
            why=(
                "Locals that live across an `.await` are stored in the future's state machine, so "
                "the future is `Send` only if they all are. A `RefCell` guard keeps a plain "
                "(non-atomic) pointer to the cell's borrow counter and releases the borrow when "
                "it is dropped. If the task were resumed on another thread, that release and any "
                "other borrow of the same cell could race on the counter: `RefCell` checks "
                "borrows at run time for one thread only.\n\n"
                "Holding a `RefCell` borrow over an `.await` is also risky on a single thread: "
                "while this task is suspended, any other code that tries `borrow_mut()` on the "
                "same cell panics with `already borrowed`."
            ),
            fix=(
                f"{first_fix}\n\n"
                "Ending the borrow is enough only when the future owns the cell (moved into an "
                "`async move` block, or `self` taken by value). When it reaches the cell "
                "through a reference (`&self`, a `&RefCell<T>` parameter), that reference is "
                "not `Send` either, because `RefCell` is not `Sync`: the cell must become a "
                "`std::sync::Mutex` (`.borrow()`/`.borrow_mut()` turn into "
                "`.lock().unwrap()`) — and its guard must still end before the await, since a "
                "std `MutexGuard` is not `Send` either. Swapping `RefCell` for `Mutex` alone "
                "never fixes a guard held across an await.\n\n"
                "If the borrow really has to last across the await (you write through it "
                "afterwards), no block can help: restructure so the await happens between two "
                "short borrows, or use `tokio::sync::Mutex`, whose guard is `Send` and whose "
                "`.lock().await` waits without blocking the thread — slower, and other tasks "
                "wait for the whole await.\n\n" + send.LOCAL_EXECUTOR
            ),
            rule=(
                "Never keep a `RefCell` guard (`Ref`/`RefMut`) alive across an `.await`: borrow, "
                "copy out, drop, then await. Cross-thread shared state needs `Mutex`/`RwLock` or "
                "atomics, not `RefCell`.\n\n" + send.ONE_AT_A_TIME
            ),
            caveat=(
                "rustc's notion of \"alive at the await\" is scope-based. A guard that you "
                "dereferenced (`*guard`, `guard.push(…)`) stays counted until the end of its "
                "block even if you call `drop(guard)` before the await, and a guard created as a "
                "temporary in a `match`, `if let` or `while let` head lives through the whole "
                "body. The workaround that always works: put the borrow in its own block `{ … }` "
                "or `let` statement that ends before the `.await`."
            ),
            links=(
                Link("std::cell::RefCell", "https://doc.rust-lang.org/std/cell/struct.RefCell.html"),
                Link("std::sync::Mutex", "https://doc.rust-lang.org/std/sync/struct.Mutex.html"),
                *send.SEND_LINKS,
            ),
        )


    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """End the guard's scope before the await: a block around a named guard, or a `let`
        for a temporary guard in a `match`/`if let`/`while let` head (see `fixes/guards`)."""
        return rewrites.guard_fixes(match, sources, refcell=True)


FAMILY = SendRefcellGuardAcrossAwait()
