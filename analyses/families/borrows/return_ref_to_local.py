"""E0515: a function returns a reference (or a value holding one) into data it owns itself —
a local, a temporary or a by-value parameter — which is dropped as the function returns.

The facts are the local, what kind of local it is, the function and its declared return type
(from which the owned return type is suggested).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"cannot return (?:a )?(?P<how>reference to|value referencing) "
                      r"(?P<kind>local variable|local data|local binding|temporary value|"
                      r"function parameter|[\w ]+?)(?: `(?P<var>[^`]+)`|$)")

_OWNED = (
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?str\b"), "String"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?\[([^\]]+)\]"), r"Vec<\1>"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?Path\b"), "PathBuf"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?OsStr\b"), "OsString"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?CStr\b"), "CString"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?(?=[A-Za-z_])"), ""),
)


def owned_type(borrowed: str) -> str | None:
    """`&str` -> `String`, `Vec<&'a str>` -> `Vec<String>`, `&[u8]` -> `Vec<u8>`."""
    result = borrowed
    for pattern, replacement in _OWNED:
        result = pattern.sub(replacement, result)
    result = re.sub(r"<'\w+>|'\w+,\s*", "", result)
    return result if result != borrowed else None


def _return_type(span: Span, sources: Sources) -> str | None:
    found = locate.at(span, sources)
    function = locate.enclosing_function(found.node) if found else None
    returned = function.child_by_field_name("return_type") if function else None
    return re.sub(r"\s+", " ", found.text(returned)) if found and returned else None


class ReturnRefToLocal(Family):
    id = "return-ref-to-local"
    title = "Returning a reference to a local"
    codes = ("E0515",)
    messages = (_MESSAGE.pattern,)
    design_choices = "returning owned data, borrowing from an input, `Cow`"

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0515":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        if found is not None:
            facts["source_kind"] = found.group("kind")
            facts["returns"] = "reference" if found.group("how") == "reference to" else "value"
            if found.group("var"):
                facts["variable"] = printed.strip_derefs(found.group("var"))
        borrowed = common.labelled(diagnostic, r"`([^`]+)` is borrowed here")
        if borrowed is not None:
            related.append(Related(borrowed[0], "the returned value borrows from this"))
            facts.setdefault("variable", printed.strip_derefs(borrowed[1].group(1)))
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
            returned = _return_type(primary, sources)
            if returned:
                facts["return_type"] = returned
                owned = owned_type(returned)
                if owned:
                    facts["owned_type"] = owned
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        kind = match.fact("source_kind") or "local variable"
        return prose.explanation(self.id, self.title, __name__, {
            "kind": kind, "variable": match.code("variable", f"a {kind}"),
            "named": bool(match.fact("variable")),
            "function": match.code("function", "the function"), "line": match.line("line"),
            "returned": match.fact("return_type"), "owned": match.fact("owned_type"),
        })


FAMILY = ReturnRefToLocal()
