"""E0515: a function returns a reference (or a value holding one) into data it owns itself —
a local, a temporary or a by-value parameter — which is dropped as the function returns.

The facts are the local, what kind of local it is, the function and its declared return type
(from which the owned return type is suggested).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
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
    if result == borrowed:
        # No reference in it: `Config<'a>` is a type that borrows, and dropping its lifetime
        # names no owned type.
        return None
    result = re.sub(r"<'\w+>|'\w+,\s*", "", result)
    return result if result != borrowed else None


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
            expression = common.span_text(primary, sources)
            if expression and "\n" not in expression:
                facts["returned_expr"] = expression.strip()
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
            signature = common.return_type_span(primary, sources)
            returned = common.span_text(signature, sources) if signature else None
            if returned:
                facts["return_type"] = returned
                owned = owned_type(returned)
                if owned:
                    facts["owned_type"] = owned
            if signature is not None:
                facts["return_line"] = signature.line_start
                related.append(Related(signature, "the declared return type borrows: return an "
                                                  "owned type instead"))
            variable = facts.get("variable")
            parameter = (common.parameter_span(primary, sources, variable)
                         if facts.get("source_kind") == "function parameter"
                         and isinstance(variable, str) else None)
            taken = common.binding_type(parameter, sources) if parameter is not None else None
            if taken:
                facts["param_type"] = taken
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        returned = match.fact("return_type")
        taken = match.fact("param_type")
        lifetime = re.search(r"'[a-z_]\w*", returned or "")
        static = lifetime is not None and lifetime.group(0) == "'static"
        expression = match.fact("returned_expr")
        variable = match.fact("variable")
        borrowing = re.fullmatch(r"\s*([A-Z]\w*)<\s*'\w+\s*>\s*", returned or "")
        return prose.explanation(self.id, self.title, __name__, {
            "kind": match.fact("source_kind") or "local variable",
            "variable": match.fact("variable"), "function": match.fact("function"),
            "line": match.fact("line"), "return_line": match.fact("return_line"),
            "returned": returned, "owned": match.fact("owned_type"),
            "reference": match.fact("returns") != "value",
            "collection": bool(returned and re.match(r"\s*[A-Z]\w*<", returned)),
            "borrowed_param": borrowed_form(taken, lifetime.group(0) if lifetime and not static
                                            else None) if taken else None,
            # A `'static` result cannot borrow a parameter: it loses the `'static`.
            "unstatic": re.sub(r"'static\s*", "", returned) if static and returned else None,
            # `Config<'a>`: a struct that borrows, with no owned counterpart to name.
            "borrowing_type": borrowing.group(1) if borrowing else None,
            "whole": bool(expression and variable and re.fullmatch(
                rf"&?\s*(?:mut\s+)?{re.escape(variable)}(?:\.as_\w+\(\)|\[\.\.\])?",
                expression)),
            "expression": expression if expression and len(expression) <= 40 else None,
        })


def borrowed_form(owned: str, lifetime: str | None) -> str | None:
    """The reference type a by-value parameter could take instead: `String` -> `&'a str`,
    `Vec<u8>` -> `&'a [u8]`, `PathBuf` -> `&'a Path`, `Config` -> `&'a Config`."""
    owned = owned.strip()
    if owned.startswith(("&", "impl ", "dyn ", "mut ")):
        return None
    prefix = f"&{lifetime} " if lifetime else "&"
    vec = re.fullmatch(r"Vec<(.+)>", owned)
    borrowed = {"String": "str", "PathBuf": "Path", "OsString": "OsStr",
                "CString": "CStr"}.get(owned, f"[{vec.group(1)}]" if vec else owned)
    return prefix + borrowed


FAMILY = ReturnRefToLocal()
