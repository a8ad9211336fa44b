"""E0521: a reference parameter (often `&self`) escapes the function through something that
needs `'static` or a longer lifetime: `thread::spawn`, `tokio::spawn`, a field or collection
that outlives the call.

The facts are the escaping parameter, the function it belongs to and the call it escapes
through.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.families.borrows.return_ref_to_local import owned_type
from borrowlens.analyses.fixes import spawn
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

# Parameter types whose `to_owned()` is a plain owned copy (`&[u8]` -> `Vec<u8>`).
_PLAIN_DATA = re.compile(r"&\s*(?:'\w+\s+)?(?:str\b|\[|Path\b|OsStr\b|CStr\b|String\b|Vec<|"
                         r"PathBuf\b)")
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
    no_fix_when: ClassVar[dict[str, str]] = {
        "variable=self": "the method only borrows `self`: sharing the object through an `Arc` "
            "changes its receivers, and which fields to clone depends on what the task needs",
        "loop_item": "the work captures a `for` loop's item borrowed from the parameter: a copy "
            "inside the loop, or a scoped thread, restructures the loop the user wrote",
        "mutable_param": "the task writes through a `&mut` parameter, so a copy would lose the "
            "writes: a scoped thread, awaiting in place or taking ownership is the user's choice",
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
        primary = diagnostic.primary
        declared = common.secondary(diagnostic, r"is a reference that is only valid in the")
        variable = facts.get("variable")
        if declared is None and primary is not None and isinstance(variable, str):
            declared = common.parameter_span(primary, sources, variable)
        if declared is not None:
            related.append(Related(declared, "this reference only lives for the call: "
                                             "take owned data or an `Arc` instead"))
            facts["param_line"] = declared.line_start
            param_type = common.binding_type(declared, sources)
            if param_type:
                facts["param_type"] = param_type
                if re.match(r"&\s*(?:'\w+\s+)?mut\b", param_type):
                    facts["mutable_param"] = "yes"
        if primary is not None:
            facts["escape_line"] = primary.line_start
            if isinstance(variable, str) and variable != "self":
                later = common.uses_after(primary, sources, variable, "call_expression")
                if later is not None:
                    facts["used_after_line"] = later
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
            if isinstance(variable, str) and variable != "self":
                item, item_span = _loop_item(primary, sources, variable, body)
                facts.update(item)
                if item_span is not None:
                    work = "thread" if via and "thread" in via else "task"
                    related.append(Related(item_span, f"`{item['loop_item']}` borrows from "
                                                      f"`{variable}`, and the {work} "
                                                      "captures it"))
        static = diagnostic.find(r"must outlive `'static`")
        if static is not None:
            facts["needs"] = "'static"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        via = match.fact("escapes_via")
        fields = match.facts.get("self_fields")
        param_type = match.fact("param_type")
        plain = param_type is not None and _PLAIN_DATA.match(param_type) is not None
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.fact("variable"), "function": match.fact("function"),
            "scope": match.fact("scope") or "function", "via": via,
            "line": match.fact("escape_line"), "param_line": match.fact("param_line"),
            "param_type": param_type,
            "owned": owned_type(param_type) if param_type and plain else None,
            "later": match.fact("used_after_line"),
            "spawn_like": bool(via and "spawn" in via), "needs_static": bool(match.fact("needs")),
            "self_methods": bool(match.fact("self_methods")),
            "field": fields[0] if isinstance(fields, list) and fields else None,
            "container": match.fact("container"),
            "mutable": bool(match.fact("mutable_param")),
            "item": match.fact("loop_item"), "loop_line": match.fact("loop_line"),
            "joined": bool(match.fact("joined")), "task_kind": match.fact("task_kind"),
            "item_deref": bool(match.fact("item_deref")),
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


def _loop_item(primary: Span, sources: Sources, variable: str,
               body: str) -> tuple[dict[str, FactValue], Span | None]:
    """When the spawned work names not the parameter but the item of a `for` loop over it
    (`for id in ids { spawn(async { … id … }) }`), that item is what it captures: the loop's
    binding and line, what the work is (closure or async block), and whether the function
    joins its threads (then a scoped thread needs no copy at all); and the loop's binding."""
    found = locate.at(primary, sources)
    if found is None or re.search(rf"\b{re.escape(variable)}\b", body):
        return {}, None
    parsed, node = found.parsed, found.node
    loop = next((a for a in syntax.ancestors(node) if a.type == "for_expression"), None)
    pattern = loop.child_by_field_name("pattern") if loop is not None else None
    value = loop.child_by_field_name("value") if loop is not None else None
    if loop is None or pattern is None or value is None or pattern.type != "identifier":
        return {}, None
    item = parsed.node_text(pattern)
    if not locate.identifiers(parsed, variable, within=value, kinds=("identifier",)) or \
            not re.search(rf"\b{re.escape(item)}\b", body):
        return {}, None
    facts: dict[str, FactValue] = {"loop_item": item, "loop_line": parsed.start(loop)[0]}
    if re.search(rf"\*\s*{re.escape(item)}\b", body):
        # The work dereferences the item (`*id`): a copy of the value, not `to_owned()`, keeps
        # that code compiling.
        facts["item_deref"] = "yes"
    facts["task_kind"] = "async block" if re.search(r"\basync\s+(?:move\s*)?\{", body) \
        else "closure"
    function = locate.enclosing_function(node)
    if function is not None and ".join()" in parsed.node_text(function):
        facts["joined"] = "yes"
    return facts, common.node_span(parsed, pattern, primary.file)


FAMILY = BorrowedDataEscapes()
