"""Code-less "`T` does not live long enough": a type parameter must outlive every lifetime of a
higher-ranked type (`for<'a> fn(<() as Store<T>>::Guard<'a>, &'a T)`, whose associated type
has `where T: 'a`), and the only bound that proves `T: 'a` for all `'a` is `T: 'static`.

It is E0310 ("the parameter type `T` may not live long enough") in another wording, not a
local dropped too early: an outer scope cannot help. Facts: the parameter, the line of the
higher-ranked type, the item whose generics declare the parameter (where the bound goes).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.analysis import node_span
from borrowlens.analyses.families.borrows.does_not_live_long_enough import TYPE_PARAMETER
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

# The headline ends there (no "because …" clause); a message cut to the caps may run on.
_MESSAGE = re.compile(r"^`(?P<param>[A-Z][A-Za-z0-9_]*)` does not live long enough\b(?![ \w])")


def _declaration(node: Node | None, param: str, parsed: syntax.Parsed
                 ) -> tuple[Node, Node] | None:
    """The item (fn, then impl) around `node` that declares `param`, with the declaration."""
    current = node
    while current is not None:
        if current.type in ("function_item", "impl_item", "struct_item", "trait_item"):
            generics = current.child_by_field_name("type_parameters")
            for child in generics.named_children if generics is not None else []:
                name = child.child_by_field_name("name") or child.child_by_field_name("left")
                if child.type == "type_identifier":
                    name = child
                if name is not None and parsed.node_text(name) == param:
                    return current, child
        current = current.parent
    return None


class TypeParamOutlivesAll(Family):
    id = "type-param-outlives-all"
    title = "A type parameter must outlive every lifetime"
    codes = ()
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "add-static-bound": "`T: 'static` where `T` is declared, the only bound that covers "
            "every lifetime",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if diagnostic.code or found is None or diagnostic.find(
                r"dropped here while still borrowed") is not None:
            return None
        param = found.group("param")
        facts: dict[str, FactValue] = {"param": param}
        related: list[Related] = []
        primary = diagnostic.primary
        located = locate.at(primary, sources)
        if primary is not None:
            facts["line"] = primary.line_start
            facts["cause"] = f"{primary.file}:{primary.line_start}"
        if located is not None and primary is not None:
            written = locate.covering(located.parsed, primary)
            if written is not None:
                facts["higher_ranked"] = " ".join(located.text(written).split())
            declared = _declaration(located.node, param, located.parsed)
            if declared is not None:
                item, declaration = declared
                facts["declared_line"] = located.parsed.start(declaration)[0]
                owner = locate.name_of(located.parsed, item)
                facts["owner"] = owner or ("impl" if item.type == "impl_item" else "")
                related.append(Related(node_span(located.parsed, declaration, primary.file),
                                       f"`{param}` is declared here: `{param}: 'static` is "
                                       "the bound that covers every lifetime"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        return prose.explanation(self.id, self.title, __name__, {
            "p": match.code("param", "the type parameter"), "bare": match.fact("param") or "T",
            "line": match.line("line"), "declared_line": match.fact("declared_line"),
            "written": match.fact("higher_ranked"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`T: 'static` on the declaration (`T` → `T: 'static`, `T: Tr` → `T: Tr + 'static`)."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        param = match.fact("param")
        file = SourceFile.load(sources, primary.file) if primary is not None else None
        if file is None or primary is None or not param or not TYPE_PARAMETER.fullmatch(param):
            return []
        declared = _declaration(file.node_for_span(primary), param, file.parsed)
        if declared is None:
            return []
        item, declaration = declared
        if item.type == "function_item" and syntax.enclosing(item, "impl_item") is not None \
                and (syntax.enclosing(item, "impl_item") or item).child_by_field_name("trait"):
            return []  # a trait impl's method signature is fixed by the trait
        bounds = declaration.child_by_field_name("bounds")
        edit = (file.insert_after(bounds, " + 'static") if bounds is not None
                else file.insert_after(declaration, ": 'static"))
        return one_fix("add-static-bound", f"Require `{param}: 'static`", [edit],
                       preferred=True)


FAMILY = TypeParamOutlivesAll()
