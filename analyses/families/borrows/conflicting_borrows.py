"""E0499 / E0502: two borrows of the same value overlap and at least one is mutable.

The same rule shows up in a handful of recognisable shapes, each with its own idiomatic
restructuring: pushing to a collection while iterating it, two `&mut v[i]` at once, `get`
then `insert` on a map, holding `&self.field` across a `&mut self` method call. The facts are
the variable, the lines of the two borrows and the detected `shape`.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import bindings, locate, printed
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(
    r"cannot borrow `(?P<var>[^`]+)` as (?P<second>mutable|immutable) "
    r"(?:more than once at a time|because it is also borrowed as (?P<first>mutable|immutable))")
_FIRST = (r"^(?:first (?:mutable )?borrow occurs here|(?:im)?mutable borrow occurs here|"
          r"first borrow occurs here|`[^`]+` was mutably borrowed here in the previous "
          r"iteration|first closure is constructed here|borrow occurs here)")
_MUTATORS = (r"push|push_str|push_back|push_front|insert|remove|extend|append|clear|retain|"
             r"truncate|drain|sort|sort_by|sort_by_key|dedup|swap_remove|pop|resize|entry")


class ConflictingBorrows(Family):
    id = "conflicting-borrows"
    title = "Conflicting borrows"
    codes = ("E0499", "E0502")
    messages = (_MESSAGE.pattern,)
    design_choices = "`split_at_mut`, `get_disjoint_mut`, the `entry` API"

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code not in self.codes:
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        raw = found.group("var") if found else None
        if found is not None:
            variable = re.sub(r"(?:\[_\])+$", "", printed.strip_derefs(raw or ""))
            facts["variable"] = variable
            facts["second_kind"] = found.group("second")
            facts["first_kind"] = found.group("first") or "mutable"
        first = common.secondary(diagnostic, _FIRST)
        if first is not None:
            facts["first_borrow_line"] = first.line_start
            related.append(Related(first, "the first borrow starts here"))
        primary = diagnostic.primary
        if primary is not None:
            facts["second_borrow_line"] = primary.line_start
        later = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        returned = common.secondary(diagnostic, r"^returning this value requires")
        if later is None and returned is not None:
            # A borrow returned on one path is kept alive on every path after it.
            facts["returned"] = "yes"
            later = returned
        if later is not None:
            facts["use_line"] = later.line_start
            related.append(Related(later, "the first borrow is still needed here"))
        facts["shape"] = self._shape(diagnostic, sources, facts, first, primary)
        held = _HELD.match(common.line_text(first, sources) or "") if first else None
        if facts["shape"] == "other" and held is not None and facts.get("first_kind") == \
                "immutable" and common.root_name(held.group("of")) == \
                common.root_name(str(facts.get("variable", ""))):
            # `let first = &buf[0];` read after `buf` changes: an owned copy ends the borrow.
            facts["reference"], facts["referent"] = held.group("name"), held.group("of")
        root = common.root_name(str(facts.get("variable", "")))
        declared = _declared_type(primary, sources, root) if primary and root != "self" else None
        if declared and _MAP.search(declared):
            facts["container"] = "map"
        elif declared and _SLICE.search(declared):
            facts["container"] = "slice"
        if facts["shape"] in ("two-indexes", "map-get-insert") and first and primary:
            self._shape_details(facts, sources, first, primary)
        dropped = common.labelled(diagnostic, r"might be used here, when `(\w+)` is dropped")
        if facts["shape"] == "closure-capture" and later is None and dropped is not None:
            # The holder's destructor may still call the closure: the borrow lasts until the
            # holder is dropped at the end of its scope.
            facts["use_line"] = dropped[0].line_start
            facts["holder"] = dropped[1].group(1)
            facts["holder_dropped"] = "yes"
            related.append(Related(dropped[0], f"`{dropped[1].group(1)}` is dropped here, and "
                                               "its destructor may still use the closure"))
        elif facts["shape"] == "closure-capture" and later is not None:
            holder = common.root_name(common.span_text(later, sources) or "")
            if re.fullmatch(r"[a-z_]\w*", holder) and holder != root:
                facts["holder"] = holder
        if facts["shape"] in ("method-call", "call-while-iterating") and primary is not None:
            method = re.search(r"\.\s*(\w+)\s*(?:::<[^>]*>)?\(",
                               common.span_text(primary, sources) or "")
            if method is None and facts["shape"] == "call-while-iterating":
                method = re.search(r"\bself\s*\.\s*(\w+)\s*(?:::<[^>]*>)?\(",
                                   common.line_text(primary, sources) or "")
            if method:
                facts["method"] = method.group(1)
            if first is not None:
                self._first_borrow(facts, sources, first)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    @staticmethod
    def _first_borrow(facts: dict[str, FactValue], sources: Sources, first: Span) -> None:
        """Whether the first borrow holds a field (`&self.input`) or all of the value (a
        `&self` method such as `self.route(topic)`), and that method's name."""
        base = common.root_name(str(facts.get("variable", "self")))
        line = common.line_text(first, sources) or ""
        if first.line_start == first.line_end and first.column_start == first.column_end:
            # Pasted text: only the line is known. Decide from its accesses to the value.
            uses = re.findall(rf"\b{re.escape(base)}\s*\.\s*(\w+)\s*(\(|::<)?", line)
            if uses and all(call for _, call in uses):
                facts["first_borrow"] = "whole"
                facts["first_method"] = uses[0][0]
            elif uses and not any(call for _, call in uses):
                facts["first_borrow"] = "field"
            return
        text = common.span_text(first, sources) or ""
        call = re.compile(rf"^\s*{re.escape(base)}\s*\.\s*(\w+)\s*(?:::<[^>]*>)?\(")
        found = call.search(text) or (
            call.search(line[first.column_start - 1:])
            if printed.strip_derefs(text) == base else None)
        if found is not None:
            facts["first_borrow"] = "whole"
            facts["first_method"] = found.group(1)
        elif printed.strip_derefs(text) == base:
            facts["first_borrow"] = "whole"
        elif text:
            facts["first_borrow"] = "field"

    @staticmethod
    def _shape_details(facts: dict[str, FactValue], sources: Sources, first: Span,
                       second: Span) -> None:
        variable = re.escape(str(facts.get("variable", "")))
        first_line = common.line_text(first, sources) or ""
        second_text = common.span_text(second, sources) or common.line_text(second,
                                                                             sources) or ""
        if facts["shape"] == "two-indexes":
            index = rf"{variable}\s*(?:\[([^\]]+)\]|\.get_mut\(\s*([^()]+?)\s*\))"
            one = re.search(index, first_line)
            two = re.search(index, common.line_text(second, sources) or "")
            if one and two:
                facts["indexes"] = [(one.group(1) or one.group(2)).strip(),
                                    (two.group(1) or two.group(2)).strip()]
                if one.group(2) and two.group(2):
                    facts["index_call"] = "get_mut"
            return
        insert = re.search(r"\.insert\(\s*(.+?),\s*(.+)\)\s*;?\s*$", second_text)
        if insert:
            facts["insert_key"] = insert.group(1)
            facts["insert_value"] = insert.group(2)

    @staticmethod
    def _shape(diagnostic: Diagnostic, sources: Sources, facts: dict[str, FactValue],
               first: Span | None, second: Span | None) -> str:
        variable = str(facts.get("variable", ""))
        base = re.escape(common.root_name(variable)) if variable else r"\w+"
        whole = re.escape(variable) if variable else r"\w+"
        first_line = (common.line_text(first, sources) or "") if first else ""
        second_line = (common.line_text(second, sources) or "") if second else ""
        second_text = (common.span_text(second, sources) or "") if second else ""
        if second_line not in second_text:
            second_text = f"{second_text}\n{second_line}"
        loop = re.search(rf"\bfor\b.*\bin\b[\s&*]*(?:mut\s+)?[\s*]*{whole}\b", first_line) or \
            (re.search(rf"{whole}\s*\.\s*(iter|iter_mut|keys|values|chars|lines|windows|"
                      rf"chunks|drain)\s*\(\s*\)", first_line) and \
            re.search(r"\bfor\b|\.for_each\(|\bwhile\b", first_line))
        mutates = re.search(rf"{whole}\s*\.\s*(?:{_MUTATORS})\s*\(", second_line)
        if loop and mutates:
            return "push-while-iterating"
        if diagnostic.find(r"borrow occurs due to use of `[^`]+` in closure"):
            # The first borrow is a closure's capture: it lasts as long as the closure is kept.
            return "closure-capture"
        if loop and base == "self" and re.search(r"\bself\s*\.\s*\w+\s*(?:::<[^>]*>)?\(",
                                                  second_text):
            return "call-while-iterating"
        indexed = rf"{whole}\s*(?:\[|\.get_mut\s*\(|\.iter_mut\(\)\s*\.nth)"
        if (re.search(indexed, first_line) and re.search(indexed, second_line)) or \
                diagnostic.find(r"split_at_mut|get_disjoint_mut"):
            return "two-indexes"
        if re.search(rf"{whole}\s*\.\s*(?:get|get_mut|contains_key|iter|first|last)\s*\(",
                     first_line) and \
                re.search(rf"{whole}\s*\.\s*(?:insert|entry|remove|push|extend|clear)\s*\(",
                          second_text):
            return "map-get-insert"
        method_call = re.search(rf"\b{base}\s*\.\s*\w+\s*(?:::<[^>]*>)?\(", second_text)
        field_borrow = re.search(rf"\b{base}\s*\.\s*\w+", first_line)
        if method_call and (base == "self" or field_borrow):
            return "method-call"
        return "other"

    def explain(self, match: Match) -> Explanation:
        first_kind = match.fact("first_kind")
        second_kind = match.fact("second_kind")
        indexes = match.facts.get("indexes")
        i, j = (indexes[0], indexes[1]) if isinstance(indexes, list) and len(indexes) == 2 \
            else (None, None)
        return prose.explanation(self.id, self.title, __name__, {
            "shape": match.fact("shape") or "other", "variable": match.fact("variable"),
            "first_line": match.fact("first_borrow_line"),
            "second_line": match.fact("second_borrow_line"), "use_line": match.fact("use_line"),
            "first_kind": first_kind, "second_kind": second_kind, "i": i, "j": j,
            "key": match.fact("insert_key"), "value": match.fact("insert_value"),
            "method": match.fact("method"), "first_method": match.fact("first_method"),
            "whole": match.fact("first_borrow") == "whole",
            "container": match.fact("container"), "returned": bool(match.fact("returned")),
            "index_call": bool(match.fact("index_call")), "holder": match.fact("holder"),
            "holder_dropped": bool(match.fact("holder_dropped")),
            "reference": match.fact("reference"), "referent": match.fact("referent"),
        })


_HELD = re.compile(r"^\s*let\s+(?P<name>[a-z_]\w*)\s*(?::[^=]*)?=\s*&\s*(?P<of>[a-z_][\w.]*"
                   r"(?:\[[^\]]+\])?)\s*;\s*$")
_MAP = re.compile(r"\b(?:HashMap|BTreeMap|IndexMap)\b")
_SLICE = re.compile(r"\b(?:Vec|VecDeque)\b|^\s*&\s*(?:'\w+\s+)?(?:mut\s+)?\[|^\s*\[")


def _declared_type(span: Span, sources: Sources, name: str) -> str | None:
    """The written type of the parameter or `let` named `name` that the code at the span sees
    (a `let`'s annotation, or the type of an obvious constructor such as `HashMap::new()`)."""
    parameter = common.parameter_span(span, sources, name)
    if parameter is not None:
        return common.binding_type(parameter, sources)
    file = SourceFile.load(sources, span.file)
    node = locate.node_at(file.parsed, span.line_start, span.column_start) if file else None
    function = locate.enclosing_function(node) if node is not None else None
    if file is None or node is None or function is None:
        return None
    found = None
    for declared, ident, _ in bindings.declared_names(file.parsed, function):
        if declared == name and ident.start_byte < node.start_byte:
            found = ident
    if found is None:
        return None
    return common.binding_type(common.node_span(file.parsed, found, span.file), sources)


FAMILY = ConflictingBorrows()
