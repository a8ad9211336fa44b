"""Edition 2024: a borrow error at a call whose `impl Trait` result captures too much.

In Rust 2024 a return-position `impl Trait` captures every lifetime in scope, so a function
like `fn ids(&self) -> impl Iterator<Item = u64>` keeps `self` borrowed for as long as the
iterator lives, even when the iterator owns its data. The caller then gets an ordinary borrow
error (E0499, E0502, E0505, E0506, E0597, E0716…) with rustc's note that the call "may capture
more lifetimes than intended". Facts: the function returning `impl Trait`, the borrowed
variable, the value holding the result, and the `use<…>` bound rustc proposes.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.fixes import bounds
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources

_NOTE = re.compile(r"may capture more lifetimes than intended|adjusted the `impl Trait` lifetime "
                   r"capture rules")
_HELP = r"precise capturing|make the captures explicit"
_SUBJECT = re.compile(r"`(?P<name>[^`]+)`")
_USE_ADDED = re.compile(r"\s*\+\s*use<(?P<inner>[^<>]*)>")
# Types that own everything in them (their parameters aside): a value of one, built from
# owned parts, borrows nothing.
_OWNING = frozenset({
    "Vec", "VecDeque", "LinkedList", "HashMap", "HashSet", "BTreeMap", "BTreeSet",
    "BinaryHeap", "String", "Option", "Box", "PathBuf", "OsString", "Rc", "Arc",
})
_BORROWING_KINDS = frozenset({"reference_type", "lifetime", "dynamic_type", "abstract_type",
                              "bounded_type", "pointer_type", "function_type"})


class RpitOvercapture2024(Family):
    id = "rpit-overcapture-2024"
    title = "Rust 2024 impl Trait captures a borrow"
    codes = ("E0499", "E0502", "E0505", "E0506", "E0597", "E0716", "E0503", "E0713")
    notes = (_NOTE.pattern,)
    # The borrow errors rustc annotates with the 2024 capture note: this is why they happen.
    refines = ("conflicting-borrows", "does-not-live-long-enough", "move-out-while-borrowed",
               "temporary-dropped")
    fix_docs: ClassVar[dict[str, str]] = {
        "add-use-bound": "`+ use<…>` listing only the parameters the returned value borrows",
    }
    # The capture rule it explains is the 2024 edition's.
    example_edition = "2024"
    no_fix_when: ClassVar[dict[str, str]] = {
        "result=borrowed": "the returned value really borrows the argument: finishing with it "
            "sooner or returning owned data reorganises the caller",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.find(_NOTE) is None:
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []

        subject = _SUBJECT.search(diagnostic.message)
        if subject is not None:
            facts["variable"] = printed.strip_derefs(subject.group("name"))
        elif "temporary value" in diagnostic.message:
            facts["variable"] = "the temporary"

        call = common.help_span(diagnostic, _NOTE.pattern)
        if call is not None:
            facts["call_line"] = call.line_start
            related.append(Related(call, "the value returned here keeps the borrow alive"))
            located = locate.at(call, sources)
            if located is not None:
                name = common.callee(located.node, located)
                if name:
                    facts["function"] = name
                holder = common.binding_of(located.node, located)
                if holder:
                    facts["holder"] = holder
            elif call.text:
                text = call.text[0][call.column_start - 1:]
                names = re.findall(r"([A-Za-z_]\w*)\s*(?:::<[^>]*>)?\s*\(", text)
                if names:
                    facts["function"] = names[0]

        hint = common.suggestion(diagnostic, _HELP)
        if hint is not None:
            replacement = hint[1].strip().lstrip("+").strip()
            if replacement.startswith("use<"):
                facts["use_bound"] = replacement
            elif replacement:
                facts["use_bound"] = f"use<{replacement}>"
            facts["signature_line"] = hint[0].line_start
            related.append(Related(hint[0], "add the precise `use<…>` capture list here"))
            if "function" not in facts:
                name = locate.function_name_at(hint[0], sources, signatures=True)
                if name:
                    facts["function"] = name
        if diagnostic.code:
            facts["code"] = diagnostic.code
        for span, label in diagnostic.labels():
            if _LATER_USE.search(label):
                facts.setdefault("later_line", span.line_start)
            elif _DROPPED.search(label):
                facts.setdefault("conflict_line", span.line_start)
        if diagnostic.primary is not None:
            facts.setdefault("conflict_line", diagnostic.primary.line_start)
        if hint is not None and (use := facts.get("use_bound")) is not None:
            result = _result_kind(hint[0], str(use), sources)
            if result is not None:
                facts["result"] = result
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        variable = match.fact("variable")
        return prose.explanation(self.id, self.title, __name__, {
            "function": match.fact("function"),
            "var": (variable if variable == "the temporary"
                    else f"`{variable}`" if variable else "the borrowed value"),
            "holder": match.fact("holder"), "code": match.fact("code"),
            "call_line": match.fact("call_line"), "sig_line": match.fact("signature_line"),
            "later_line": match.fact("later_line"),
            "conflict_line": match.fact("conflict_line"),
            "use_bound": match.fact("use_bound") or "use<>",
            "owned": match.fact("result") == "owned",
            "borrowed": match.fact("result") == "borrowed",
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """rustc's `+ use<…>` on the called fn's return type, only when its body visibly
        returns owned data: the tail is a local `let name: T = …` (or `name.into_iter()`)
        whose written type `T` is built from owning std types and listed type parameters.
        rustc proposes the same list even when the value does borrow (then the fn fails
        with E0700), so anything less certain gets no fix."""
        diagnostic = match.diagnostic
        found = (common.suggested_point(diagnostic, _HELP, _USE_ADDED, sources)
                 if diagnostic is not None else None)
        if found is None:
            return []
        file, at, added = found
        function = locate.enclosing_function(bounds.node_before(file, at), signatures=True)
        returned = function.child_by_field_name("return_type") if function else None
        if (function is None or returned is None or function.type != "function_item"
                or returned.type != "abstract_type" or returned.end_byte != at
                or bounds.is_trait_impl_method(function)):
            return []
        listed = {p.strip() for p in added.group("inner").split(",") if p.strip()}
        if not _returns_owned(file, function, listed):
            return []
        use_bound = added.group(0).strip().lstrip("+").strip()
        fix = make_fix(
            "add-use-bound",
            f"Capture nothing borrowed: add `+ {use_bound}` to "
            f"{match.code('function', 'the return type')}",
            [file.edit_bytes(at, at, f" + {use_bound}")], preferred=True)
        return [fix] if fix is not None else []


_LATER_USE = re.compile(r"later used here|later used by")
_DROPPED = re.compile(r"dropped here while still borrowed")
# Methods that hand out an iterator or view borrowing their receiver, and methods after which
# a chain owns its data again.
_BORROWING_METHODS = frozenset({
    "iter", "iter_mut", "chars", "char_indices", "bytes", "lines", "split", "split_whitespace",
    "keys", "values", "values_mut", "windows", "chunks", "as_str", "as_slice", "as_ref",
})
_OWNING_METHODS = frozenset({"collect", "to_vec", "to_owned", "to_string", "into_owned",
                             "clone", "count", "sum"})


def _result_kind(hint: Span, use_bound: str, sources: Sources) -> str | None:
    """"owned" when the called fn visibly returns data it owns (the fix's own test),
    "borrowed" when its tail is an iterator chain over a parameter (`self.items.iter()…`),
    None when the body says neither."""
    file = SourceFile.load(sources, hint.file)
    if file is None:
        return None
    function = locate.enclosing_function(
        bounds.node_before(file, file.byte_at(hint.line_start, hint.column_start)),
        signatures=True)
    if function is None or function.type != "function_item":
        return None
    inner = _USE_ADDED.fullmatch(f" + {use_bound}")
    listed = {p.strip() for p in inner.group("inner").split(",") if p.strip()} if inner else set()
    if _returns_owned(file, function, listed):
        return "owned"
    body = function.child_by_field_name("body")
    tail = body.named_children[-1] if body is not None and body.named_children else None
    methods: list[str] = []
    while tail is not None and tail.type in ("call_expression", "field_expression"):
        if tail.type == "call_expression":
            callee = tail.child_by_field_name("function")
            field = callee.child_by_field_name("field") if callee is not None else None
            if callee is None or callee.type != "field_expression" or field is None:
                return None
            methods.append(file.node_text(field))
            tail = callee.child_by_field_name("value")
        else:
            tail = tail.child_by_field_name("value")
    if tail is None or tail.type not in ("self", "identifier") or _OWNING_METHODS & set(methods):
        return None
    return "borrowed" if _BORROWING_METHODS & set(methods) else None


def _returns_owned(file: SourceFile, function: tree_sitter.Node,
                   listed: set[str]) -> bool:
    body = function.child_by_field_name("body")
    if body is None or any(n.type in ("return_expression", "try_expression")
                           for n in file.walk(body)):
        return False
    tail = body.named_children[-1] if body.named_children else None
    if tail is None or tail.type == "expression_statement":
        return False
    if tail.type == "call_expression":
        callee = tail.child_by_field_name("function")
        arguments = tail.child_by_field_name("arguments")
        field = callee.child_by_field_name("field") if callee is not None else None
        if (callee is None or callee.type != "field_expression" or field is None
                or file.node_text(field) != "into_iter" or arguments is None
                or arguments.named_children):
            return False
        tail = callee.child_by_field_name("value")
    if tail is None or tail.type != "identifier":
        return False
    name = file.node_text(tail)
    lets = [n for n in body.named_children if n.type == "let_declaration"
            and (pattern := n.child_by_field_name("pattern")) is not None
            and file.node_text(pattern).removeprefix("mut ").strip() == name]
    written = lets[0].child_by_field_name("type") if len(lets) == 1 else None
    if written is None or re.search(r"(?<![\w])_(?![\w])", file.node_text(written)):
        return False
    for node in file.walk(written):
        if node.type in _BORROWING_KINDS:
            return False
        if node.type == "scoped_type_identifier":
            last = node.child_by_field_name("name")
            if last is None or file.node_text(last) not in _OWNING:
                return False
        elif (node.type == "type_identifier"
              and (node.parent is None or node.parent.type != "scoped_type_identifier")
              and file.node_text(node) not in _OWNING | listed):
            return False
    return True


FAMILY = RpitOvercapture2024()
