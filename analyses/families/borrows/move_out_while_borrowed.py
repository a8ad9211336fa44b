"""E0505: a value is moved (passed by value, dropped, moved into a closure or spawned task)
while a reference to it — possibly held inside a future that has not been awaited yet — is
still going to be used.

The facts are the variable, the lines of the borrow, the move and the later use, and what the
move goes into (a function call, `drop`, a closure / async block / spawned task).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.rust import printed
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"cannot move out of `(?P<var>[^`]+)` because it is borrowed")


class MoveOutWhileBorrowed(Family):
    id = "move-out-while-borrowed"
    title = "Move out of a borrowed value"
    codes = ("E0505",)
    messages = (_MESSAGE.pattern,)
    design_choices = "reordering, cloning before the move, an `Arc`"

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
        return prose.explanation(self.id, self.title, __name__, {
            "variable": variable, "name": name, "borrowed": borrowed,
            "of": prose.code(borrowed) if borrowed and borrowed != name else variable,
            "borrow": match.line("borrow_line"), "moved": match.line("move_line"),
            "used": match.line("use_line", " later"), "use_line": match.fact("use_line"),
            "into": match.fact("moved_into"), "future": match.fact("borrower") == "future",
            "reference": match.fact("reference"), "borrow_expr": match.fact("borrow_expr"),
        })


FAMILY = MoveOutWhileBorrowed()
