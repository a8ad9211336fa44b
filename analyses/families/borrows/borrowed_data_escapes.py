"""E0521: a reference parameter (often `&self`) escapes the function through something that
needs `'static` or a longer lifetime: `thread::spawn`, `tokio::spawn`, a field or collection
that outlives the call.

The facts are the escaping parameter, the function it belongs to and the call it escapes
through.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import spawn
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"borrowed data escapes outside of (?P<where>function|method|closure|"
                      r"associated function)")


class BorrowedDataEscapes(Family):
    id = "borrowed-data-escapes"
    title = "Borrowed data escapes the function"
    codes = ("E0521",)
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "own-before-spawn": "an owned value goes into the spawned task when that is all it needs: "
            "`let p = p.to_owned();` before the spawn",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0521":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        facts["scope"] = found.group("where") if found else "function"
        for pattern in (r"`([^`]+)` escapes the [\w ]+? body",
                        r"`([^`]+)` is a reference that is only valid in the",
                        r"`([^`]+)` declared here, outside of the"):
            param = diagnostic.find(pattern)
            if param is not None:
                facts["variable"] = param.group(1)
                break
        outside = diagnostic.find(r"`([^`]+)` declared here, outside of the")
        if outside is not None and outside.group(1) != facts.get("variable"):
            facts["container"] = outside.group(1)
        declared = common.secondary(diagnostic, r"is a reference that is only valid in the")
        if declared is not None:
            related.append(Related(declared, "this reference only lives for the call: "
                                             "take owned data or an `Arc` instead"))
        primary = diagnostic.primary
        if primary is not None:
            facts["escape_line"] = primary.line_start
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
            body = common.span_text(primary, sources) or ""
            fields = list(dict.fromkeys(re.findall(r"\bself\.(\w+)\b(?!\s*(?:::<[^>]*>)?\()",
                                                   body)))
            if fields:
                facts["self_fields"] = fields
            if re.search(r"\bself\.\w+\s*(?:::<[^>]*>)?\(", body):
                facts["self_methods"] = "yes"
            via = common.call_at(primary, sources)
            if via:
                facts["escapes_via"] = via
        static = diagnostic.find(r"must outlive `'static`")
        if static is not None:
            facts["needs"] = "'static"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        name = match.fact("variable") or "value"
        via = match.fact("escapes_via")
        fields = match.facts.get("self_fields")
        field = fields[0] if isinstance(fields, list) and fields else "data"
        is_self = name == "self"
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.code("variable", "a reference parameter"), "name": name,
            "function": match.code("function", f"the {match.fact('scope') or 'function'}"),
            "fn_name": match.fact("function") or "f",
            "through": match.code(
                "escapes_via", "something longer-lived (a spawned task, a thread, a container)"),
            "line": match.line("escape_line"), "spawn_like": bool(via and "spawn" in via),
            "needs_static": bool(match.fact("needs")), "is_self": is_self,
            "self_methods": bool(match.fact("self_methods")), "field": field,
            "container": match.fact("container"),
            "item": f"self.{field}" if is_self and field != "data" else name,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """An owned copy of a slice/str parameter made just before a `move` spawn."""
        diagnostic = match.diagnostic
        variable = match.fact("variable")
        primary = diagnostic.primary if diagnostic is not None else None
        if primary is None or not variable or variable == "self":
            return []
        file = SourceFile.load(sources, primary.file)
        node = file.node_for_span(primary) if file is not None else None
        if file is None or node is None:
            return []
        fix = spawn.own_parameter_copy(file, node, variable)
        return [fix] if fix is not None else []


FAMILY = BorrowedDataEscapes()
