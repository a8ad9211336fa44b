"""E0373: a closure or async block borrows a local but may run after the function returns.

Closures and async blocks capture by reference unless told to `move`; when they are handed to
something that keeps them (`thread::spawn`, `tokio::spawn`) or are returned, the borrow would
dangle. The facts are the captured variable, the kind (closure / async block), its line, the
API that keeps it, and where the variable is used again afterwards (then it must be cloned
before the `move`).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import new_code
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import bindings, locate, printed, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"^(?P<kind>closure|async block|async closure|coroutine|generator) may "
                      r"outlive the current (?:function|method)?.*?borrows `(?P<var>[^`]+)`")


class ClosureMayOutlive(Family):
    id = "closure-may-outlive"
    title = "Closure may outlive the current function"
    codes = ("E0373",)
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "add-move": "the closure or async block becomes `move` and owns what it captures",
        "clone-then-move": "when a captured value is used afterwards: a block clones it, then the "
            "`move` closure takes the clone",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "mutated": "the closure mutates a captured local the function reads afterwards: a "
            "scoped thread, a channel or shared ownership is a design choice",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0373":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        if found is not None:
            facts["variable"] = found.group("var")
            facts["kind"] = found.group("kind")
        else:
            named = diagnostic.find(r"borrows `([^`]+)`|borrowed value `([^`]+)`")
            if named:
                facts["variable"] = named.group(1) or named.group(2)
            facts["kind"] = "async block" if diagnostic.find(r"async block") else "closure"
        primary = diagnostic.primary
        if primary is not None:
            facts["closure_line"] = primary.line_start
            callee = common.call_around(primary, sources)
            if callee:
                facts["required_by"] = callee
        captured = common.secondary(diagnostic, r"`[^`]+` is borrowed here")
        if captured is not None:
            facts["capture_line"] = captured.line_start
            related.append(Related(captured, "captured by reference here"))
        if diagnostic.find(r"is returned here"):
            facts["returned"] = "yes"
        requirement = diagnostic.span_labelled(r"requires argument type to outlive")
        if requirement is not None and "required_by" not in facts:
            callee = common.call_at(requirement[0], sources)
            if callee:
                facts["required_by"] = callee
        variable = facts.get("variable")
        if primary is not None:
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
        if primary is not None and isinstance(variable, str):
            name = common.root_name(variable)
            later = common.uses_after(primary, sources, name, "closure_expression",
                                      "async_block")
            if later is not None:
                facts["used_after_line"] = later
            facts.update(_capture_facts(primary, sources, name, str(facts.get("required_by",
                                                                               ""))))
            if later is None:
                facts.pop("mutated", None)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        kind = match.fact("kind") or "closure"
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.fact("variable"), "kind": kind, "is_async": "async" in kind,
            "line": match.fact("closure_line"), "capture_line": match.fact("capture_line"),
            "function": match.fact("function"), "required": match.fact("required_by"),
            "returned": bool(match.fact("returned")), "later": match.fact("used_after_line"),
            "mutated": bool(match.fact("mutated")), "in_loop": bool(match.fact("in_loop")),
            "copy": bool(match.fact("copy")), "joined": bool(match.fact("joined")),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`move`, when every variable the closure would take is either not used after it
        or `Copy`; else clone the ones used later into a block around the closure first —
        only when they are clearly `Clone` and the closure does not mutate them."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if primary is None or match.fact("kind") not in ("closure", "async block"):
            return []
        file = SourceFile.load(sources, primary.file)
        closure = (file.node_for_span(primary, "closure_expression", "async_block")
                   if file is not None else None)
        function = locate.enclosing_function(closure) if closure is not None else None
        if file is None or closure is None or function is None:
            return []
        if re.match(r"(?:async\s+)?move\b", file.node_text(closure)) or (
                closure.type == "closure_expression"
                and file.node_text(closure).startswith("async")):
            return []
        captured = _captured(file, closure, function)
        variable = common.root_name(match.fact("variable") or "")
        if variable not in captured:
            return []
        to_clone: list[str] = []
        sendable = "spawn" in (match.fact("required_by") or "")
        for name, binder in captured.items():
            kind = _ownership(file, name, binder, sendable)
            if kind in ("borrowed", None):
                return []
            if not _used_after(file, name, closure, function, binder):
                continue
            # Used again later: a copy or a clone would leave those uses seeing the old
            # value if the closure changes it, so then there is no mechanical fix.
            if kind not in ("copy", "clone") or _mutated_in(file, name, closure):
                return []
            if kind == "clone":
                to_clone.append(name)
        keyword = _move_edit(file, closure)
        what = "async block" if closure.type == "async_block" else "closure"
        quoted = [f"`{name}`" for name in captured]
        owned = quoted[0] if len(quoted) == 1 else (
            ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) <= 3
            else f"`{variable}` and the rest")
        if not to_clone:
            fix = make_fix("add-move", f"Make the {what} `move` so it owns {owned}",
                           [keyword], preferred=True)
            return [fix] if fix else []
        if new_code.has_multiline_string(file, closure):
            return []
        base = file.indent_of(closure)
        inner = base + file.indent_unit()
        closure_text = _with_move(file, closure)
        clones = "".join(f"{inner}let {name} = {name}.clone();\n" for name in to_clone)
        block = (f"{{\n{clones}{inner}{new_code.reindent_tail(closure_text, file.indent_unit())}"
                 f"\n{base}}}")
        names = ", ".join(f"`{name}`" for name in to_clone)
        fix = make_fix("clone-then-move",
                       f"Clone {names} for the {what} and make it `move`",
                       [file.replace(closure, block)], preferred=True)
        return [fix] if fix else []


def _capture_facts(span: Span, sources: Sources, name: str,
                   required_by: str) -> dict[str, FactValue]:
    """What the source shows about the captured variable: the closure changes it
    ("mutated"), it is visibly `Copy` ("copy"), the closure sits in a loop the variable was
    declared outside of ("in_loop": `move` alone would move it in the first iteration), and a
    spawned thread is joined later in the function ("joined": a scoped thread fits)."""
    file = SourceFile.load(sources, span.file)
    closure = (file.node_for_span(span, "closure_expression", "async_block")
               if file is not None else None)
    if file is None or closure is None:
        return {}
    facts: dict[str, FactValue] = {}
    if _mutated_in(file, name, closure):
        facts["mutated"] = "yes"
    binder = _binder_of(file, name, closure)
    kind = _ownership(file, name, binder, "spawn" in required_by) if binder else None
    if kind == "copy":
        facts["copy"] = "yes"
    elif common.in_loop_outside(span, sources, file.parsed.start(binder)[0] if binder else None):
        facts["in_loop"] = "yes"
    function = locate.enclosing_function(closure)
    if required_by.endswith("thread::spawn") and function is not None and \
            ".join()" in file.parsed.data[closure.end_byte:function.end_byte].decode(
                "utf-8", errors="replace"):
        facts["joined"] = "yes"
    return facts


def _move_edit(file: SourceFile, closure: tree_sitter.Node) -> TextEdit:
    if closure.type == "async_block":
        return file.edit_bytes(closure.start_byte + len("async"),
                               closure.start_byte + len("async"), " move")
    return file.insert_before(closure, "move ")


def _with_move(file: SourceFile, closure: tree_sitter.Node) -> str:
    text = file.node_text(closure)
    if closure.type == "async_block":
        return "async move" + text[len("async"):]
    return "move " + text


def _captured(file: SourceFile, closure: tree_sitter.Node,
              function: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
    """The variables of the function the closure mentions, each with the binder (`let`,
    parameter, `for` …) of its latest declaration before the closure."""
    inside = {name for name, _, _ in bindings.declared_names(file.parsed, closure)}
    outside: dict[str, tree_sitter.Node] = {}
    for name, ident, binder in bindings.declared_names(file.parsed, function):
        if ident.start_byte < closure.start_byte and not (
                closure.start_byte <= binder.start_byte < closure.end_byte):
            outside[name] = binder
    found: dict[str, tree_sitter.Node] = {}
    for name, _ in locate.names_in(file.parsed, closure):
        if name in outside and name not in inside and name != "self":
            found[name] = outside[name]
    return found


_COPY_TYPES = frozenset(("u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
                         "i128", "isize", "f32", "f64", "bool", "char"))
_OWNED = frozenset(("String", "PathBuf", "OsString"))
_SHARED = frozenset(("Arc",))
_CONTAINERS = frozenset(("Vec", "VecDeque", "Option", "HashSet", "BTreeSet", "HashMap",
                         "BTreeMap", "Box"))
_CLONE_VALUE = re.compile(
    r"^(?:String::(?:from|new)\(|(?:std::sync::)?Arc::(?:new|clone)\(|format!|vec!|"
    r"PathBuf::from\()|\.(?:to_string|to_owned|clone)\(\)$")
_COPY_VALUE = re.compile(r"^(?:-?\d[\d_]*(?:\.\d+)?(?:[iuf](?:8|16|32|64|128|size))?|true|false|"
                         r"'(?:[^'\\]|\\.)')$")


def _type_kind(text: str, sendable: bool) -> str | None:
    """"copy", "clone" or None (unknown) for a written type."""
    text = re.sub(r"\s+", "", text)
    if text.startswith("&"):
        return "copy" if text.startswith("&'static") else "borrowed"
    head = re.match(r"^(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)(?:<(.*)>)?$", text)
    if head is None:
        return None
    name, args = head.group(1), head.group(2)
    if name in _COPY_TYPES and args is None:
        return "copy"
    if name in _OWNED and args is None:
        return "clone"
    if name in _SHARED or (name == "Rc" and not sendable):
        return "clone"
    if name in _CONTAINERS and args:
        parts = [part for part in _split_args(args)]
        kinds = [_type_kind(part, sendable) for part in parts]
        return "clone" if all(k in ("copy", "clone") for k in kinds) else None
    return None


def _split_args(args: str) -> list[str]:
    return printed.split_top_level(args, "<(")


def _ownership(file: SourceFile, name: str, binder: tree_sitter.Node,
               sendable: bool) -> str | None:
    """How `move` would take the variable: "copy", "clone" (owned and clearly `Clone`),
    "owned" (a value of unknown type that does not look borrowed), "borrowed" (a
    reference: moving it does not end the borrow) or None (cannot tell)."""
    if binder.type == "self_parameter":
        return "borrowed"
    pattern = binder.child_by_field_name("pattern")
    names = bindings.pattern_names(file.parsed, pattern) if pattern is not None else []
    simple = (pattern is not None and pattern.type in ("identifier", "mut_pattern")
              and bool(names) and file.node_text(names[0]) == name)
    type_node = binder.child_by_field_name("type")
    if type_node is not None and simple:
        return _type_kind(file.node_text(type_node), sendable) or "owned"
    value = binder.child_by_field_name("value")
    text = re.sub(r"\s+", " ", file.node_text(value)).strip() if value is not None else ""
    if binder.type == "let_declaration" and simple and text:
        if text.startswith("&") or _BORROWING_CALL.search(text):
            return "borrowed"
        if _COPY_VALUE.match(text):
            return "copy"
        if _CLONE_VALUE.search(text) and not text.startswith("Rc::"):
            return "clone"
        return "owned"
    if binder.type == "for_expression" and pattern is not None and \
            pattern.type == "tuple_pattern" and text.endswith(".enumerate()"):
        # `for (i, item) in items.into_iter().enumerate()`: the index is a `usize`; the item
        # is what the iterator before `.enumerate()` gives.
        parts = pattern.named_children
        if len(parts) != 2 or any(p.type != "identifier" for p in parts):
            return None
        if file.node_text(parts[0]) == name:
            return "copy"
        base = text.removesuffix(".enumerate()")
        if file.node_text(parts[1]) == name and not base.startswith("&") and \
                not _BORROWING_CALL.search(base) and base.endswith((".into_iter()",
                                                                    ".drain(..)")):
            return "owned"
        return None
    if binder.type == "for_expression" and simple and re.fullmatch(
            r"[\w.()]*\d*\s*\.\.=?\s*[\w.()]+", text):
        return "copy"  # a range of integers
    if binder.type == "for_expression" and text and not text.startswith("&") and \
            not _BORROWING_CALL.search(text):
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
            outer = _binder_of(file, text, binder)
            kind = _ownership(file, text, outer, sendable) if outer is not None else None
            return "owned" if kind in ("clone", "owned") else None
        if text.endswith((".into_iter()", ".drain(..)")):
            return "owned"
    return None


_BORROWING_CALL = re.compile(
    r"\.(?:get|get_mut|first|last|iter|iter_mut|as_str|as_ref|as_mut|as_slice|as_deref|"
    r"as_path|borrow|borrow_mut|lock|read|write|peek|split\w*|trim\w*|keys|values|chars|"
    r"lines|bytes|windows|chunks)\b")


def _binder_of(file: SourceFile, name: str,
               before: tree_sitter.Node) -> tree_sitter.Node | None:
    function = locate.enclosing_function(before)
    if function is None:
        return None
    found = None
    for declared, ident, binder in bindings.declared_names(file.parsed, function):
        if declared == name and ident.start_byte < before.start_byte:
            found = binder
    return found


def _used_after(file: SourceFile, name: str, closure: tree_sitter.Node,
                function: tree_sitter.Node, binder: tree_sitter.Node) -> bool:
    """True when the variable is mentioned after the closure, or the closure sits in a
    loop the variable was declared outside of (the next iteration uses it again)."""
    for ancestor in syntax.ancestors(closure):
        if ancestor.id == function.id:
            break
        if ancestor.type in ("for_expression", "while_expression", "loop_expression") and \
                not ancestor.start_byte <= binder.start_byte < ancestor.end_byte:
            return True
    return any(node.start_byte >= closure.end_byte
               for found, node in locate.names_in(file.parsed, function) if found == name)


_MUTATORS = frozenset(("push", "push_str", "insert", "remove", "clear", "extend", "pop",
                       "truncate", "drain", "retain", "sort", "sort_by", "sort_by_key",
                       "append", "entry", "get_mut", "iter_mut", "take", "dedup", "reverse",
                       "swap", "resize", "split_off", "push_back", "push_front", "pop_back",
                       "pop_front", "as_mut", "borrow_mut", "set", "replace"))


def _mutated_in(file: SourceFile, name: str, closure: tree_sitter.Node) -> bool:
    """True when the closure may change the variable (then a clone would change what the
    rest of the function sees)."""
    for node in file.identifiers(name, within=closure, kinds=("identifier",)):
        parent = node.parent
        if parent is None:
            continue
        if parent.type in ("assignment_expression", "compound_assignment_expr") and \
                parent.child_by_field_name("left") == node:
            return True
        if parent.type == "reference_expression" and "mut" in file.node_text(parent).split():
            return True
        if parent.type == "field_expression" and parent.child_by_field_name("value") == node:
            grand = parent.parent
            field = parent.child_by_field_name("field")
            if grand is not None and grand.type in ("assignment_expression",
                                                    "compound_assignment_expr"):
                return True
            if field is not None and file.node_text(field) in _MUTATORS:
                return True
    return False


FAMILY = ClosureMayOutlive()
