"""E0597: a borrow outlives the value it points into.

Two shapes share the code. In the plain one a reference is stored somewhere (a struct, an
outer variable, a collection) that is still used after the value's scope has ended. In the
`'static` one an API demands `'static` — `thread::spawn`, `tokio::spawn`, a `Box<dyn Fn>`,
a `&'static` annotation — and a reference to a local can never satisfy it. The facts are the
variable, where it is borrowed and dropped, what demands `'static` and, when the source shows
it, the variable's type.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import spawn
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"`([^`]+)` does not live long enough|borrowed value does not live long "
                      r"enough")
_STATIC = (r"^(?P<what>argument|cast|type annotation|assignment|returning this value|"
           r"coercion|this usage|[\w ]+?) requires that `(?P<var>[^`]+)` is borrowed for "
           r"`'static`")


def _display(value: str) -> str:
    """Inline code for an API or type, plain words for a phrase."""
    return value if " " in value and "<" not in value else f"`{value}`"


class DoesNotLiveLongEnough(Family):
    id = "does-not-live-long-enough"
    title = "Borrowed value does not live long enough"
    codes = ("E0597",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0597" and not _MESSAGE.search(diagnostic.message):
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        named = re.search(r"`([^`]+)` does not live long enough", diagnostic.message)
        dropped = common.labelled(diagnostic, r"`([^`]+)` dropped here while still borrowed")
        variable = named.group(1) if named else (dropped[1].group(1) if dropped else None)
        if variable:
            facts["variable"] = variable
        primary = diagnostic.primary
        if primary is not None:
            facts["borrow_line"] = primary.line_start
        if dropped is not None:
            facts["dropped_line"] = dropped[0].line_start
            related.append(Related(dropped[0], "the value is dropped here, at the end of its "
                                               "scope, while the borrow is still needed"))
        declared = common.secondary(diagnostic, r"^binding `[^`]+` declared here")
        if declared is not None:
            facts["declared_line"] = declared.line_start
            kind = common.binding_type(declared, sources)
            if kind:
                facts["type"] = kind
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        if used is not None:
            facts["use_line"] = used.line_start
            related.append(Related(used, "the borrow is still used here"))
        static = common.labelled(diagnostic, _STATIC)
        if static is not None:
            span, found = static
            what = found.group("what")
            callee = common.call_at(span, sources) if what == "argument" else None
            if what == "argument" and callee is None:
                callee = common.spawn_call_on_line(span, sources)
            facts["static_line"] = (common.call_line(span, sources) if callee
                                    else span.line_start)
            facts["static_by"] = callee or self._static_phrase(diagnostic, what)
            related.append(Related(span, "this demands `'static`: own the data instead of "
                                         "borrowing it"))
            facts["workaround"] = self._workaround(diagnostic, sources, span, callee, variable)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    @staticmethod
    def _static_phrase(diagnostic: Diagnostic, what: str) -> str:
        if what in ("cast", "coercion"):
            found = diagnostic.find(r"object lifetime defaults, `([^`]+)` actually means")
            if found:
                kind = re.sub(r"for<[^>]*>\s*|'[a-z_]\w*\s+", "", found.group(1))
                return kind
            return "the conversion to a `dyn` trait object"
        if what == "type annotation":
            return "the `'static` type annotation"
        return f"this {what}"

    @staticmethod
    def _workaround(diagnostic: Diagnostic, sources: Sources, span: Span,
                    callee: str | None, variable: str | None) -> str:
        """Which of the three 'static workarounds fits: "scope", "arc" or "move"."""
        text = sources.text(span.file) or ""
        if callee and callee.endswith("thread::spawn") and ".join()" in text:
            return "scope"
        if variable and common.uses_after(span, sources, common.root_name(variable),
                                          "call_expression") is not None:
            return "arc"
        return "move"

    def explain(self, match: Match) -> Explanation:
        if match.fact("static_by"):
            return self._explain_static(match)
        variable = match.code("variable", "the value")
        kind = match.fact("type")
        typed = f"{variable} (a `{kind}`)" if kind else variable
        borrow = match.line("borrow_line")
        dropped = match.line("dropped_line", " at the end of its scope")
        used = match.line("use_line", " later")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=common.sentence(
                f"{typed} is dropped{dropped} but a reference to it is still used{used}; "
                  "declare it in the outer scope or store an owned copy instead of the "
                  "reference."),
            what=common.sentence(
                f"{typed} is borrowed{borrow}, and that reference is kept somewhere that "
                f"lives longer than {variable} itself: the value is dropped{dropped}, yet the "
                f"borrow is still needed{used}. A reference may never outlive the value it "
                "points into, so the compiler rejects the program rather than leave a "
                "dangling pointer."
            ),
            why=(
                "Every local is dropped when the block that declared it ends — a loop body "
                "ends on every iteration, an `if` block as soon as it is done. A borrow "
                "carries a lifetime, and storing it in a longer-lived place (a struct field, "
                "a `Vec<&T>`, a variable declared further out) stretches the lifetime the "
                "borrow must have up to that place's last use. The borrow checker compares "
                "the two regions: the value's scope must contain every use of the borrow, "
                "and here it does not."
            ),
            fix=(
                f"Make the owner live as long as the borrow: declare {variable} before the "
                "block (or loop) in which the longer-lived holder is used, so it is dropped "
                "after its last use.\n\n"
                "If each iteration creates a fresh value (as with a loop-local `String`), "
                "borrowing cannot work at all — store the owned value instead: make the "
                "holder a `Vec<String>` rather than a `Vec<&str>`, or push "
                f"{variable} itself (moving it) instead of `&{match.fact('variable') or 'it'}`."
                "\n\nWhen many holders need the same data, share it with `Rc` (or `Arc` "
                "across threads) and store clones of the pointer."
            ),
            rule=(
                "Data must be owned by something that lives at least as long as every "
                "reference into it. When a value is created in a narrower scope than the "
                "place that keeps the reference, move the value outward or keep the owned "
                "value instead of a reference."
            ),
            links=(
                Link("Error index: E0597", "https://doc.rust-lang.org/error_codes/E0597.html"),
                Link("The Rust Book: validating references with lifetimes",
                     "https://doc.rust-lang.org/book/ch10-03-lifetime-syntax.html"),
            ),
        )

    def _explain_static(self, match: Match) -> Explanation:
        variable = match.code("variable", "the value")
        name = match.fact("variable") or "value"
        kind = match.fact("type")
        typed = f"{variable} (a `{kind}`)" if kind else variable
        by = _display(match.fact("static_by") or "the API")
        static_line = match.line("static_line")
        borrow = match.line("borrow_line")
        dropped = match.line("dropped_line", " when the function returns")
        fits = match.fact("workaround") or "move"
        spawn_like = "spawn" in by
        clone = f"let {name} = {name}.clone();"
        moves = (
            f"**Move owned data in.** Pass {variable} itself into the closure or task (a "
            f"`move` closure / `async move` block that names {variable}, not a reference to "
            f"it). If you still need it afterwards, give the task its own copy first: "
            f"`{clone}` before the call. This is the cheapest fix when the data is small or "
            "used by the task alone."
        )
        arc = (
            f"**Share it with `Arc`.** Wrap the data once (`let {name} = "
            f"Arc::new({name});`) and move an `Arc::clone(&{name})` into each task. Every "
            "clone owns a share, so the data lives until the last task drops its handle; "
            "add a `Mutex` or `RwLock` inside if the tasks must mutate it."
        )
        scope = (
            "**Borrow within a scope.** `std::thread::scope(|s| { s.spawn(|| …); })` "
            "guarantees every thread joins before the scope returns, so its closures may "
            "borrow locals and no `'static` is needed. For async code the equivalent is "
            "structured concurrency: await the work in place (`futures::join!`, "
            "`join_all`, a `JoinSet` you await before returning) instead of detaching it."
        )
        if not spawn_like:
            scope = (
                "**Relax the bound, if the API is yours.** A trait object defaults to "
                "`+ 'static`; spelling a lifetime (`Box<dyn Fn(&str) -> String + 'a>`, with "
                "`'a` on the holder) lets it keep borrows that live as long as the holder."
            )
        order = {"move": (moves, arc, scope), "arc": (arc, moves, scope),
                 "scope": (scope, moves, arc)}[fits]
        advice = {
            "move": f"move {variable} (or a clone of it) into it instead of a reference",
            "arc": f"share {variable} through an `Arc` and move a clone of the `Arc` in",
            "scope": "use `std::thread::scope` so the thread may borrow",
        }[fits]
        reason = {
            "move": f"{variable} is not used after the call{static_line}, so the task can "
                    "simply own it.",
            "arc": f"{variable} is still used after the call{static_line}, so the task and "
                   "the caller need shared ownership.",
            "scope": "the function joins the thread before returning anyway, so a scoped "
                     "thread expresses that directly and lets it borrow.",
        }[fits]
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"{by}{static_line} demands `'static` but is handed a borrow of "
                  f"{variable}, which is dropped{dropped}; {advice}."),
            what=common.sentence(
                f"{typed} is a local that is borrowed{borrow}, and that borrow flows into "
                f"{by}{static_line}, which requires everything it receives to be valid for "
                f"`'static`. {variable} is dropped{dropped}, so a reference to it cannot "
                "meet that requirement."
            ),
            why=(
                ("A spawned thread or task is detached from the caller: the runtime may run "
                 "it on another thread, long after this function has returned. Its "
                 "signature therefore says `F: 'static` — the closure or future must not "
                 "hold any borrow of the caller's stack. "
                 if spawn_like else
                 "A `'static` bound means the value must not contain any borrow that can "
                 "end: it owns its data, or borrows only from things that live forever "
                 "(string literals, leaked or `static` data). Boxed trait objects such as "
                 "`Box<dyn Fn()>` are implicitly `+ 'static` unless they name a lifetime. ")
                + f"A reference to {variable} ends where {variable} is dropped, so it can "
                "never be `'static`, however short the work actually is.\n\n"
                "`'static` is a statement about ownership, not about how long something "
                "runs: an owned `String` is `'static`, a `&str` pointing into a local is "
                "not."
            ),
            fix=(
                f"{order[0]}\n\nHere that fits best: {reason}\n\n"
                f"Alternatives:\n\n- {order[1]}\n- {order[2]}\n\n"
                "A quick fix is offered only for the plainest case: a `let r = &value;` "
                "handed to a `move` spawn, with neither name used after the spawn and a "
                "value that is visibly owned and `Send` (a `String`, a `Vec`, a struct of "
                "such fields). It moves that `let` into the task, so the task owns the value "
                "and borrows it there. When the value is still needed afterwards, choosing "
                "between `Arc`, a scoped thread and a copy is a design decision left to you."
            ),
            rule=(
                "An API that asks for `'static` is asking for owned data. Don't hand it a "
                "reference to a local: move the value in, share it through `Arc`, or use a "
                "scoped API that proves the borrow ends in time."
            ),
            caveat=(
                "The compiler cannot see that you join the thread or await the task before "
                "the value is dropped: a detached spawn is checked as if it could run "
                "forever. Scoped threads (`std::thread::scope`) are the way to tell it "
                "that the work finishes in time."
            ),
            links=(
                Link("Error index: E0597", "https://doc.rust-lang.org/error_codes/E0597.html"),
                Link("std::thread::scope", "https://doc.rust-lang.org/std/thread/fn.scope.html"),
                Link("tokio::spawn", "https://docs.rs/tokio/latest/tokio/task/fn.spawn.html"),
                Link("std::sync::Arc", "https://doc.rust-lang.org/std/sync/struct.Arc.html"),
            ),
        )

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """A spawn handed `let r = &x;`: move that `let` into the task, so the task owns
        `x` — only when neither `x` nor `r` is used after the spawn and `x` is visibly an
        owned, `Send` value. Everything else needs a design choice the explanation lays out."""
        diagnostic = match.diagnostic
        variable = match.fact("variable")
        primary = diagnostic.primary if diagnostic is not None else None
        static = common.labelled(diagnostic, _STATIC) if diagnostic is not None else None
        if primary is None or static is None or not variable or "." in variable:
            return []
        file = SourceFile.load(sources, primary.file)
        if file is None or static[0].file != primary.file:
            return []
        borrow = file.node_for_span(primary)
        static_at = file.node_for_span(static[0])
        if borrow is None or static_at is None:
            return []
        fix = spawn.move_borrow_into_task(file, borrow, static_at, variable,
                                          match.fact("type"))
        return [fix] if fix is not None else []


FAMILY = DoesNotLiveLongEnough()
