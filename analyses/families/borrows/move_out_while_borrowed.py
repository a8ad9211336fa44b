"""E0505: a value is moved (passed by value, dropped, moved into a closure or spawned task)
while a reference to it — possibly held inside a future that has not been awaited yet — is
still going to be used.

The facts are the variable, the lines of the borrow, the move and the later use, and what the
move goes into (a function call, `drop`, a closure / async block / spawned task).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.rust import printed
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"cannot move out of `(?P<var>[^`]+)` because it is borrowed")


class MoveOutWhileBorrowed(Family):
    id = "move-out-while-borrowed"
    title = "Move out of a borrowed value"
    codes = ("E0505",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0505":
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        if found is not None:
            facts["variable"] = printed.strip_derefs(found.group("var"))
        borrow = common.labelled(diagnostic, r"borrow of `([^`]+)` occurs here|borrow occurs "
                                             r"here")
        if borrow is not None:
            span, hit = borrow
            facts["borrow_line"] = span.line_start
            if hit.group(1):
                facts["borrowed"] = printed.strip_derefs(hit.group(1))
            related.append(Related(span, "the borrow starts here"))
            stored = re.match(r"\s*let\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?="
                              r"\s*(&\s*(?:mut\s+)?)?([^;]*);?\s*$",
                              common.line_text(span, sources) or "")
            if stored:
                facts["reference"] = stored.group(1)
                if stored.group(2):
                    facts["borrow_expr"] = stored.group(3).strip()
        primary = diagnostic.primary
        if primary is not None:
            facts["move_line"] = primary.line_start
            moved_into = self._moved_into(diagnostic, primary, sources)
            if moved_into:
                facts["moved_into"] = moved_into
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        if used is not None:
            facts["use_line"] = used.line_start
            related.append(Related(used, "the borrow is still needed here"))
            line = common.line_text(used, sources) or ""
            if re.search(r"\.await\b", line[used.column_start - 1:]):
                facts["borrower"] = "future"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    @staticmethod
    def _moved_into(diagnostic: Diagnostic, primary: Span, sources: Sources) -> str | None:
        """What takes the value: `drop`, a callee, a closure, an async block or a task."""
        text = common.span_text(primary, sources) or ""
        inner = re.match(r"(async\s+move|move\s*\|)", text)
        if inner or diagnostic.find(r"move occurs due to use in (closure|coroutine)"):
            callee = common.call_around(primary, sources)
            kind = "async block" if (inner and "async" in inner.group(1)) or \
                diagnostic.find(r"use in coroutine") else "closure"
            return f"{kind} passed to {callee}" if callee else kind
        return common.call_at(primary, sources)

    def explain(self, match: Match) -> Explanation:
        variable = match.code("variable", "the value")
        name = match.fact("variable") or "value"
        borrowed = match.fact("borrowed")
        of = f"`{borrowed}`" if borrowed and borrowed != name else variable
        borrow = match.line("borrow_line")
        moved = match.line("move_line")
        used = match.line("use_line", " later")
        into = match.fact("moved_into")
        future = match.fact("borrower") == "future"
        into_text = ""
        if into:
            into_text = (" by `drop`" if into == "drop" else
                         f" into the {into.replace('passed to ', 'passed to `')}`"
                         if "passed to" in into else
                         f" into the {into}" if into in ("closure", "async block") else
                         f" into `{into}`")
        reference = match.fact("reference")
        ref_code = f"`{reference}`" if reference else None
        holder = (f"the not-yet-awaited future {ref_code or ''} borrowing {of}".replace("  ", " ")
                  if future else
                  f"{ref_code}, a reference to {of}," if ref_code else
                  f"a reference to {of}")
        if future:
            first = (
                f"Await the future before moving {variable}: the future created{borrow} "
                f"holds `&{name}` until it completes, so move the `.await` up before the "
                f"move{moved} (or move {variable} only after line "
                f"{match.fact('use_line') or 'the await'})."
            )
        elif into == "drop":
            first = (
                f"Move the `drop({name})`{moved} after the last use of the borrow{used} — or "
                "simply delete it and let the value be dropped at the end of the scope."
            )
        else:
            first = (
                f"Finish with the borrow before the move: use (or copy out of) {of} before "
                f"the move{moved}, or reorder so the move comes after the borrow's last "
                f"use{match.line('use_line')}. When you need a piece of the data afterwards, "
                f"take an owned copy of it first (`let "
                f"{reference if match.fact('borrow_expr') and reference else 'copy'} = "
                f"{match.fact('borrow_expr') or borrowed or name}.clone();`) instead of "
                "keeping a reference."
            )
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=common.sentence(
                f"{variable} is moved{into_text}{moved} while {holder} is still used"
                  f"{used}; end the borrow before the move, or clone what you keep."),
            what=common.sentence(
                f"{of} is borrowed{borrow}, and {variable} is moved{into_text}{moved}. The "
                f"borrow is still used{used}, after the move — "
                + ("it lives inside a future that only runs when it is awaited, so it "
                   "still points at the value when the value is gone."
                   if future else
                   "so it would point at a value that has been moved somewhere else (or "
                   "freed).")
            ),
            why=(
                "Moving transfers ownership: the new owner may drop, mutate or send the "
                "value elsewhere, and the old place becomes unusable. Any reference into "
                "the old place has to be finished before that happens; non-lexical "
                "lifetimes let a borrow end at its last use, so the error means the last "
                "use really comes after the move.\n\n"
                "A future or closure that borrows keeps the borrow for as long as it "
                "exists, not just while it runs: calling an `async fn` with `&x` creates a "
                "future that holds `&x` until it is awaited or dropped. Moving a value into "
                "a spawned task moves it out of this function for good."
            ),
            fix=(
                f"{first}\n\n"
                f"If both sides really need the data, clone before the move (`let copy = "
                f"{name}.clone();`) and move one copy, or share it through an `Arc` (`Rc` "
                "on one thread) so the borrow becomes a cheap handle of its own."
            ),
            rule=(
                "A value cannot be moved while anything — a reference, a closure, a "
                "pending future — still borrows it. Order the code so borrows end before "
                "the move, or give each side its own owned copy."
            ),
            links=(
                Link("Error index: E0505", "https://doc.rust-lang.org/error_codes/E0505.html"),
                Link("The Rust Book: references and borrowing",
                     "https://doc.rust-lang.org/book/ch04-02-references-and-borrowing.html"),
            ),
        )


FAMILY = MoveOutWhileBorrowed()
