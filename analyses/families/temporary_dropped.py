"""E0716: a temporary (a function's returned `String`, a `MutexGuard`, a `RefCell` borrow…)
is freed at the end of its statement while a reference into it is still in use.

The facts are the temporary's expression, its line, the `let` binding that keeps the borrow
and where that borrow is used later.
"""

from __future__ import annotations

import re

from ..model import Diagnostic
from ..sources import Sources
from . import _borrow_common as common
from .base import Explanation, FactValue, Family, Link, Match, Related

_MESSAGE = re.compile(r"temporary value dropped while borrowed")
_GUARD = re.compile(r"\.(lock|read|write|borrow|borrow_mut|try_lock)\(\)")


class TemporaryDropped(Family):
    id = "temporary-dropped"
    title = "Temporary value dropped while borrowed"
    codes = ("E0716",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0716" and not _MESSAGE.search(diagnostic.message):
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
            expression = common.span_text(primary, sources)
            if primary.line_start == primary.line_end and \
                    primary.column_start == primary.column_end:
                expression = common.receiver_at(primary, sources)
            if expression:
                facts["expression"] = expression
            line = common.line_text(primary, sources) or ""
            binding = re.match(r"\s*let\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
            if binding:
                facts["binding"] = binding.group(1)
            if expression and expression in line:
                facts["statement"] = line.strip()
        freed = common.secondary(diagnostic, r"temporary value is freed at the end of this "
                                              r"statement")
        if freed is not None:
            related.append(Related(freed, "the temporary is dropped here"))
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        if used is not None:
            facts["use_line"] = used.line_start
            related.append(Related(used, "the borrow is still needed here"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        expression = match.fact("expression")
        temp = f"`{expression}`" if expression else "the temporary value"
        line = match.line("line")
        binding = match.fact("binding")
        used = match.line("use_line", " later")
        guard = bool(expression and _GUARD.search(expression))
        holder = "owner" if not guard else "guard"
        example = (f"`let {holder} = {expression};`" if expression else
                   f"`let {holder} = …;`")
        statement = match.fact("statement")
        if statement and expression:
            after = f", then `{statement.replace(expression, holder, 1)}`"
        else:
            after = (f" and build `{binding}` from `{holder}`" if binding else
                     f" and borrow from `{holder}`")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=common.sentence(
                f"{temp}{line} is a temporary freed at the end of its statement, but a "
                  f"borrow of it is used{used}; bind it with `let` first so it lives to the "
                  "end of the block."),
            what=common.sentence(
                f"{temp}{line} produces a value that nothing owns: it is a temporary, and "
                "it is dropped at the semicolon. "
                + (f"`{binding}` keeps a reference into it, " if binding else
                   "A reference into it is kept, ")
                + f"and that reference is still needed{used}, after the temporary is gone."
            ),
            why=(
                "Rust gives every value an owner. A value produced in the middle of an "
                "expression (a returned `String`, a `MutexGuard` from `.lock()`, a `Ref` "
                "from `.borrow()`) gets a hidden owner that lives only until the end of the "
                "enclosing statement. Methods such as `trim`, `get`, `as_str` or `iter` "
                "return borrows of their receiver, so calling them on a temporary produces "
                "a reference that dies with the statement.\n\n"
                "The compiler extends a temporary's life only when it is borrowed directly "
                "in a `let` (`let s = &make();`), not when it is the receiver of a method "
                "call, so a chain of calls loses it."
                + ("\n\nFor a lock guard this matters twice over: the guard is what keeps "
                   "the lock held, and the data may only be read while it exists."
                   if guard else "")
            ),
            fix=(
                f"Give the temporary a name so it lives to the end of the block: "
                f"{example}{after} on the next line. That is exactly rustc's own "
                "suggestion (it calls the binding `binding`).\n\n"
                "Alternatively, turn the borrowed result into owned data while the "
                "temporary is still alive: end the chain with `.to_string()`, "
                "`.to_owned()` or `.cloned()`"
                + (" — for a guard that also releases the lock right away, which is often "
                   "what you want." if guard else ".")
            ),
            rule=(
                "Temporaries live until the end of their statement. If you keep a borrow of "
                "a value created inside an expression, first bind that value with `let` — "
                "or keep an owned copy instead of the borrow."
            ),
            caveat=(
                "Edition 2024 shortened some temporary lifetimes (the tail expression of a "
                "block and `if let` scrutinees), so code that compiled on 2021 may report "
                "this error after migrating; the same `let` binding fixes it."
            ),
            links=(
                Link("Error index: E0716", "https://doc.rust-lang.org/error_codes/E0716.html"),
                Link("Rust Reference: temporary lifetimes",
                     "https://doc.rust-lang.org/reference/destructors.html#temporary-scopes"),
            ),
        )


FAMILY = TemporaryDropped()
