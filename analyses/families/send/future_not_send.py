"""The general non-`Send` future: any other value alive across an `.await` (`Box<dyn Error>`,
`Box<dyn Trait>` without `+ Send`, a struct holding one, a crate's `!Send` type), or an await
on another future that is not `Send`.

This is the fallback for "future cannot be sent between threads safely" when no more specific
family (Rc, RefCell/Mutex guards, non-`Sync` references, async fn in traits) claims it. Facts:
variable or `awaited` expression, type, `inner_type` (what rustc says lacks `Send`),
declaration and await lines, the bound and the fn.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


def _dyn_fix(inner: str | None) -> str | None:
    """'`dyn Notifier + Send`' for a trait object that lacks `Send`, else None."""
    if not inner:
        return None
    found = re.search(r"dyn ([A-Za-z_][\w:]*(?:<.*>)?)", inner)
    if not found:
        return None
    return f"`dyn {found.group(1)} + Send`"


class FutureNotSend(Family):
    id = "future-not-send"
    title = "Future is not Send"
    codes = ()
    priority = 0

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        awaited_type = match.fact("type") or ""
        if match.fact("awaited") or (not match.fact("variable") and "Future" in awaited_type
                                     and not match.fact("expression")):
            return self._awaits(match)
        name = send.culprit_name(match)
        type_ = match.fact("type")
        inner = match.fact("inner_type")
        await_ = send.await_phrase(match)
        captured = match.fact("captured") == "true"
        dyn_fix = _dyn_fix(inner) or _dyn_fix(type_)
        if type_ and inner and inner != type_:
            is_a = f"{name} is {send.a_type(type_)}, which contains `{inner}` (not `Send`)"
        elif type_:
            is_a = f"{name} is {send.a_type(type_)}, which is not `Send`"
        else:
            is_a = f"{name} is not `Send`"
        held = (f"the future captures it{send.decl_phrase(match)}" if captured
                else f"it is still alive at {await_}{send.place_phrase(match)}"
                     f"")
        if dyn_fix:
            first = (f"Add `Send` to the trait object: write {dyn_fix} where the type is "
                     "declared (for errors, `Box<dyn Error + Send + Sync>` — the usual error "
                     "type of async code). Every value stored in it must then be `Send`, which "
                     "the compiler checks where it is created.")
        else:
            first = (f"Find what makes {name} non-`Send` (rustc's `help:` line names the "
                     "innermost type) and replace that part with a thread-safe equivalent "
                     "(`Rc` → `Arc`, `RefCell` → `Mutex`, `Cell` → an atomic), or end "
                     f"{name}'s scope in a block `{{ … }}` before the `.await`.")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"{name} ({'a non-`Send` value' if not type_ else f'`{type_}`'}) is "
                  f"{'captured by' if captured else 'alive across ' + await_ + ' in'} a "
                  "future that must be `Send`; make it `Send` or end its scope before the "
                  "await."),
            what=(
                f"{send.cap(is_a)}, and {held}. So {send.future_phrase(match)} is not `Send`, and "
                f"{send.bound_phrase(match)}.\n\n"
                "The error lands on the spawn, but the culprit is the value rustc names in the "
                "note — that is the line to change."
            ),
            why=(
                "The compiler turns an async fn or block into a state machine whose fields are "
                "the locals that live across each `.await`. `Send` is an auto trait: the state "
                "machine is `Send` only if every such field is. A multi-threaded executor may "
                "move a suspended task to another thread, so `spawn` demands it.\n\n"
                "Trait objects are `Send` only if they say so: `Box<dyn Error>` or "
                "`Box<dyn Trait>` promises nothing about threads, so the compiler must assume "
                "the worst."
            ),
            fix=(
                f"{first}\n\n"
                f"If the value is only needed before or after the await, narrow its scope: "
                "finish with it in a block, or create it after the await. Convert errors to an "
                "owned, `Send` form (`e.to_string()`, your own error enum) before awaiting.\n\n"
                + send.LOCAL_EXECUTOR + "\n\n"
                "No quick fix is offered here: which of these is right depends on how the "
                "value is used, and adding `+ Send` to a trait object obliges every value "
                "stored in it, possibly in other files. Only an `Rc` found behind the value "
                "gets the mechanical `Rc` → `Arc` rewrite."
            ),
            rule=(
                "Every value alive at an `.await` is part of the future; a future passed to a "
                "multi-threaded `spawn` must be `Send` all the way down. In async code, prefer "
                "`+ Send` on trait objects (`Box<dyn Error + Send + Sync>`).\n\n"
                + send.ONE_AT_A_TIME
            ),
            caveat=(
                "rustc decides liveness by scope: a value that was borrowed stays part of the "
                "future until its block ends, even after `drop(value)`. End the scope with a "
                "block `{ … }` before the `.await` when `drop` does not help."
            ),
            links=(
                Link("std::error::Error (Send + Sync boxes)",
                     "https://doc.rust-lang.org/std/error/trait.Error.html"),
                *send.SEND_LINKS,
            ),
        )

    def _awaits(self, match: Match) -> Explanation:
        awaited = match.code("awaited", "the awaited future")
        type_ = match.fact("type")
        await_ = send.await_phrase(match)
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"{await_[0:1].upper() + await_[1:]} awaits {awaited}, whose future is not "
                  "`Send`; make that future `Send` (e.g. `+ Send` on its boxed type)."),
            what=(
                f"At {await_}{send.inside_phrase(match)}, {send.future_phrase(match)} awaits "
                f"{awaited}" + (f", of type `{type_}`" if type_ else "") + ", and that future "
                f"is not `Send`. While awaiting, the outer future stores the inner one, so it is "
                f"not `Send` either, and {send.bound_phrase(match)}.\n\n"
                "The problem is in the awaited future's type, not at the spawn site."
            ),
            why=(
                "An `.await` keeps the awaited future inside the caller's state machine until it "
                "completes. Auto traits propagate through that nesting: one non-`Send` future "
                "anywhere in the chain makes every future that awaits it non-`Send`.\n\n"
                "A boxed future (`Pin<Box<dyn Future<Output = T>>>`) or an `impl Future` return "
                "type is `Send` only if it says so; without `+ Send` the compiler cannot assume "
                "it."
            ),
            fix=(
                "Make the awaited future `Send`: return `Pin<Box<dyn Future<Output = T> + Send>>`"
                " (`futures::future::BoxFuture` is that alias) or `impl Future<Output = T> + "
                "Send`, and fix whatever the compiler then reports inside it.\n\n"
                "If that future genuinely cannot be `Send` (it uses `Rc` or thread-local state), "
                "keep the calling task on one thread instead. " + send.LOCAL_EXECUTOR
            ),
            rule=(
                "Send-ness flows up the await chain: a spawned future is `Send` only if every "
                "future it awaits is. Put `+ Send` on boxed and `impl Future` types that may be "
                "spawned.\n\n" + send.ONE_AT_A_TIME
            ),
            links=(
                Link("futures::future::BoxFuture",
                     "https://docs.rs/futures/latest/futures/future/type.BoxFuture.html"),
                *send.SEND_LINKS,
            ),
        )

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Only the mechanical case: an `Rc`/`rc::Weak` culprit (or a struct field holding
        one) gets `rc-to-arc`. Trait objects, errors and awaited futures get no edit: the
        right change is a design choice the explanation lays out."""
        if match.fact("awaited"):
            return []
        return rewrites.rc_fixes(match, sources)


FAMILY = FutureNotSend()
