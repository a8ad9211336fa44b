"""E0277 "`…` cannot be unpinned": a future or stream that is not `Unpin` is polled through a
plain `&mut` — `Pin::new(&mut fut)`, `&mut fut` in `tokio::select!`, `StreamExt::next` on a
stream built from async blocks — instead of being pinned first; and E0599 "no method named
`poll`" on a plain future (`self.inner.poll(cx)` in a hand-written `Future`), whose `poll`
takes `Pin<&mut Self>`. A future kept in a struct field is stored as `Pin<Box<F>>`
(`fixes/pinned_field.py`), never re-pinned with `pin!` inside `poll`.

Facts: `type` (the type that is not `Unpin`; when rustc names a marker such as
`PhantomPinned`, the user-facing type that contains it), `variable` (the future's binding),
`required_by` (`Pin::new`, `StreamExt::next`, `tokio::select!` …), `use_line`; from the
source, where the binding is declared and whether the poll repeats in a loop (`decl_line`,
`decl_kind`, `field_line`, `in_loop`, `is_block`, `block_line`); `via` ("poll_method" for
the E0599 shape).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.families.traits import unpin_self
from borrowlens.analyses.families.traits.unpin_self import node_span
from borrowlens.analyses.fixes import pinned_field
from borrowlens.analyses.fixes.blocks import insert_statement
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix, one_fix
from borrowlens.analyses.rust import bindings, locate, syntax
from borrowlens.analyses.rust import items as rustsyntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"^`(?P<type>.+)` cannot be unpinned")
_BOUND = re.compile(r"the trait bound `(?P<type>.+): (?:[\w:]*::)?Unpin` is not satisfied")
_REQUIRED_FOR = re.compile(r"required for `(?P<type>[^`]+)` to implement `(?:[\w:]*::)?Unpin`")
# `self.inner.poll(cx)` on a future field: `poll` takes `Pin<&mut Self>`, which a method call
# never makes by itself, so rustc finds no method at all.
_NO_POLL = re.compile(r"no method named `poll` found for (?:type parameter|struct|enum|opaque "
                      r"type|associated type) `(?P<type>[^`]+)`")
# rustc offers to pin the receiver only when it is a future.
_PIN_HINT = re.compile(r"consider pinning the expression")
_MACRO = re.compile(r"(?:expansion of the macro|in the macro) `(?P<name>[^`$]+?)!?`")
_MARKERS = ("PhantomPinned", "PhantomData")
_REF_MUT = re.compile(r"&\s*mut\s+((?:self\.)?[A-Za-z_][A-Za-z0-9_]*)")


def _user_type(diagnostic: Diagnostic, first: str) -> str:
    """The type to talk about: rustc names the innermost culprit, which for library futures
    is a marker field; the outermost `required for `X` to implement `Unpin`` is the user's."""
    if not (first.startswith(_MARKERS) or first.startswith(("(", "__"))):
        return first
    outer = [m.group("type") for _, m in diagnostic.find_all(_REQUIRED_FOR)
             if not m.group("type").startswith(("&", "(", "__"))]
    return outer[-1] if outer else first


def _variable(diagnostic: Diagnostic, sources: Sources) -> tuple[str | None, int | None]:
    """The binding that is polled without being pinned, and the line where that happens."""
    place = common.user_place(diagnostic, sources)
    parsed = common.parsed_at(place, sources)
    if parsed is None or place is None:
        return None, None
    node = locate.node_at(parsed, place.line, place.column)
    if node is None:
        return None, place.line
    line = place.line
    # `x.next()` / `x.poll(…)`: the method's name is the squiggle; the receiver is the future.
    if node.type == "field_identifier" and node.parent is not None and \
            node.parent.type == "field_expression":
        receiver = node.parent.child_by_field_name("value")
        name = common.plain_name(parsed.node_text(receiver)) if receiver else None
        if name:
            return name, line
    # `Pin::new(&mut x)`: the argument is the squiggle.
    expression = syntax.enclosing(node, "reference_expression")
    if expression is not None:
        name = common.plain_name(parsed.node_text(expression))
        if name:
            return name, line
    # A macro (`select!`, `join!`): the first `&mut x` in its input.
    invocation = syntax.enclosing(node, "macro_invocation")
    if invocation is not None:
        found = _REF_MUT.search(parsed.node_text(invocation))
        if found:
            offset = invocation.start_byte + len(
                parsed.node_text(invocation)[:found.start()].encode("utf-8"))
            return found.group(1), parsed.position(offset)[0]
    name = common.plain_name(parsed.node_text(node))
    if name and node.type in ("identifier", "field_expression"):
        return name, line
    # Last resort: the `let` that holds the async block rustc names.
    block = common.placeholder_place(diagnostic.all_text(), "async block", place.file)
    if block is not None:
        target = locate.node_at(parsed, block.line, block.column)
        declaration = syntax.enclosing(target, "let_declaration") if target else None
        pattern = declaration.child_by_field_name("pattern") if declaration else None
        if pattern is not None:
            name = _pattern_name(parsed, pattern)
            if name:
                return name, line
    return None, line


def _pattern_name(parsed: syntax.Parsed, pattern: tree_sitter.Node) -> str | None:
    if pattern.type == "identifier":
        return parsed.node_text(pattern)
    if pattern.type == "mut_pattern":
        inner = pattern.named_children
        return parsed.node_text(inner[0]) if inner else None
    return None


def _required_by(diagnostic: Diagnostic) -> str | None:
    bound = common.bound_in(diagnostic)
    if bound:
        return bound
    macro = diagnostic.find(_MACRO) or _MACRO.search(diagnostic.rendered or "")
    if macro:
        return macro.group("name").strip() + "!"
    primary = diagnostic.primary
    if primary is not None and primary.macro and not primary.macro.startswith("$crate"):
        return primary.macro if primary.macro.endswith("!") else primary.macro + "!"
    if diagnostic.find(r"to implement `(?:[\w:]*::)?(?:Future|IntoFuture)`"):
        return ".await"
    return None


_LOOPS = ("for_expression", "while_expression", "loop_expression")


def _locate(match: Match, diagnostic: Diagnostic, sources: Sources) -> None:
    """Where the future lives and where it is polled, from the source: `decl_line` and
    `decl_kind` ("let", "param", or "field" for `self.x`/`this.x`, whose struct field is
    found on `field_line`), `in_loop` (the poll repeats in a loop the binding is outside
    of), `block_line` (the async block rustc names) and `is_block` (the binding is that
    block itself). `related` points at the declaration (where to pin) and at the poll."""
    name, use_line = match.fact("variable"), match.facts.get("use_line")
    place = common.user_place(diagnostic, sources)
    if not name or not isinstance(use_line, int) or place is None:
        return
    file = SourceFile.load(sources, place.file)
    if file is None:
        return
    block = common.placeholder_place(diagnostic.all_text(), "async block", place.file)
    if block is not None:
        match.facts["block_line"] = block.line
    head = name.split(".")[0]
    uses = [n for n in file.identifiers(head, kinds=("identifier", "self"))
            if file.parsed.start(n)[0] == use_line]
    if not uses:
        return
    use = uses[0]
    if name == "self" and match.fact("required_by") == "Pin::get_mut":
        unpin_self.locate(match, diagnostic, file, use)
        return
    match.related.append(Related(node_span(file, use), f"`{name}` is polled here through a plain "
                                 "`&mut`, which needs `Unpin`"))
    if "." in name:
        field = _field(file, name.rsplit(".", 1)[1])
        if field is not None:
            match.facts.update(decl_kind="field", field_line=file.parsed.start(field)[0])
            match.related.insert(0, Related(node_span(file, field), "store this field pinned: "
                                            "`Pin<Box<…>>`, or pin-project it"))
        return
    function = locate.enclosing_function(use)
    binder = None
    for declared, _, node in bindings.declared_names(file.parsed, function) if function else ():
        if declared == name and node.start_byte < use.start_byte:
            binder = node
    if binder is None or binder.type not in ("let_declaration", "parameter"):
        return
    line = file.parsed.start(binder)[0]
    match.facts.update(decl_kind="let" if binder.type == "let_declaration" else "param",
                       decl_line=line)
    value = binder.child_by_field_name("value")
    if value is not None and value.type == "async_block":
        match.facts["is_block"] = "true"
    if any(a.type in _LOOPS and a.start_byte > binder.end_byte for a in syntax.ancestors(use)):
        match.facts["in_loop"] = "true"
    match.related.insert(0, Related(node_span(file, binder), f"pin `{name}` once, right after "
                                    "this, before it is polled"))


def _field(file: SourceFile, name: str) -> tree_sitter.Node | None:
    """The declaration of the struct field `name` in the file (the first one)."""
    for node in rustsyntax.field_declarations(file.parsed.root):
        field = node.child_by_field_name("name")
        if field is not None and file.node_text(field) == name:
            return node
    return None


class CannotBeUnpinned(Family):
    id = "cannot-be-unpinned"
    title = "Future polled without being pinned"
    codes = ("E0277", "E0599")
    messages = (_MESSAGE.pattern, _BOUND.pattern, _NO_POLL.pattern)
    fix_docs: ClassVar[dict[str, str]] = {
        "pin-on-stack": "`let mut fut = std::pin::pin!(fut);` before the loop or select",
        "box-pin": "`Box::pin(fut)`: the future pinned on the heap",
        "box-pin-field": "a future field stored as `Pin<Box<F>>`: built with `Box::pin`, "
                         "polled with `.as_mut().poll(cx)`",
    }
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the value that must be pinned lives in a struct field or behind an API: "
        "pinning it changes that type and its users")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code not in (None, "E0277", "E0599"):
            return None
        head = _MESSAGE.match(diagnostic.message) or _BOUND.search(diagnostic.message)
        no_poll = _NO_POLL.match(diagnostic.message) if head is None else None
        if no_poll is not None and diagnostic.find(_PIN_HINT) is None:
            return None  # a `poll` method missing from something that is not a future
        found = head or no_poll
        if found is None:
            return None
        first = found.group("type")
        facts: dict[str, FactValue] = {"type": _user_type(diagnostic, first)}
        if no_poll is not None:
            facts["via"] = "poll_method"
            if re.search(r"found for (?:struct|enum) ", diagnostic.message):
                facts["concrete"] = "yes"
        variable, line = _variable(diagnostic, sources)
        if variable:
            facts["variable"] = variable
        if line:
            facts["use_line"] = line
        required_by = _required_by(diagnostic) if no_poll is None else None
        if required_by:
            facts["required_by"] = required_by
        match = Match(family=self, diagnostic=diagnostic, facts=facts)
        _locate(match, diagnostic, sources)
        return match

    def explain(self, match: Match) -> Explanation:
        type_text = match.fact("type")
        name = match.fact("variable")
        var = match.code("variable", "the future")
        ty = match.code("type", "the future")
        required_by = match.fact("required_by") or ""
        if required_by.endswith("select!"):
            how = "select"
        elif required_by.endswith("next") or "Stream" in required_by:
            how = "stream"
        else:
            how = "call"
        origin = type_text or ""
        async_kind = ("block" if origin.startswith("{async block")
                      else "fn" if origin.startswith("{async fn body") else None)
        short = prose.short_type(type_text) if type_text else None
        is_block = match.fact("is_block") == "true"
        if short == "async block":
            short_phrase = ("an `async` block" if is_block or not name
                            else "which holds an `async` block")
        else:
            short_phrase = f"`{short}`" if short else ""
        self_unpin = name == "self" and required_by == "Pin::get_mut"
        if self_unpin and match.fact("self_type"):
            # The value `get_mut` unwraps is the struct, not the field type rustc names.
            var, short_phrase = match.code("self_type", ""), ""
        return prose.explanation(self.id, self.title, __name__, {
            "subject": (f"{var} ({short_phrase})" if name and short and short_phrase
                        else var if name else short_phrase or ty),
            "var": var, "binding": name or "fut", "type": type_text,
            "short": short,
            "async_kind": async_kind, "how": how, "required_by": required_by or None,
            "field": "." in (name or ""), "use_line": match.line("use_line"),
            "at_line": match.fact("use_line"), "decl_line": match.fact("decl_line"),
            "decl_kind": match.fact("decl_kind"), "field_line": match.fact("field_line"),
            "in_loop": match.fact("in_loop") == "true",
            "is_block": is_block,
            "block_line": match.fact("block_line"),
            "via": match.fact("via"), "concrete": bool(match.fact("concrete")),
            "self_type": match.fact("self_type"), "self_unpin": self_unpin,
            "field_name": match.fact("field"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Pin the future's binding once, before the statement that polls it (outside any
        loop in the binding's block): `std::pin::pin!` on the stack, or `Box::pin`."""
        if match.diagnostic is None:
            return []
        name = match.fact("variable")
        use_line = match.facts.get("use_line")
        place = common.user_place(match.diagnostic, sources)
        if name and "." in name and isinstance(use_line, int) and place is not None:
            return self._field_fixes(name, use_line, place.file, match, sources)
        if match.fact("via"):
            return []  # a local's `fut.poll(cx)` must also become `fut.as_mut()`: not written
        if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or \
                not isinstance(use_line, int) or place is None:
            return []
        file = SourceFile.load(sources, place.file)
        if file is None:
            return []
        line_start = file.byte_at(use_line, 1)
        line_end = file.byte_at(use_line + 1, 1) if use_line < file.parsed.line_count \
            else len(file.parsed.data)
        uses = [n for n in file.identifiers(name, kinds=("identifier",))
                if line_start <= n.start_byte < line_end]
        if not uses:
            return []
        use = uses[0]
        function = locate.enclosing_function(use)
        if function is None:
            return []
        binder = None
        for declared, ident, node in bindings.declared_names(file.parsed, function):
            if declared == name and ident.start_byte < use.start_byte:
                binder = node
        plan = _pin_plan(file, name, binder, use) if binder is not None else None
        if plan is None:
            return []
        stack = _pin_edits(file, name, plan, "std::pin::pin!")
        boxed = _pin_edits(file, name, plan, "Box::pin")
        fixes = [
            make_fix("pin-on-stack", f"Pin `{name}` with `std::pin::pin!` before it "
                     "is polled", stack, preferred=True) if plan.stack_ok else None,
            make_fix("box-pin", f"Pin `{name}` on the heap with `Box::pin`", boxed),
        ]
        return [fix for fix in fixes if fix is not None]

    @staticmethod
    def _field_fixes(name: str, use_line: int, path: str, match: Match,
                     sources: Sources) -> list[Fix]:
        """A future kept in a struct field: store it as `Pin<Box<…>>`."""
        file = SourceFile.load(sources, path)
        edits = pinned_field.box_pin_field(file, name, use_line) if file is not None else None
        field = name.rsplit(".", 1)[1]
        kind = match.fact("type") or "…"
        return one_fix("box-pin-field", f"Store `{field}` as `Pin<Box<{kind}>>` and poll it "
                       "with `as_mut()`", edits, preferred=True)


class _PinPlan:
    """Where pinning goes: wrapping the `let`'s value, or a shadowing `let` before the
    statement that polls the future."""

    def __init__(self, binder: tree_sitter.Node, statement: tree_sitter.Node,
                 wrap: bool, stack_ok: bool) -> None:
        self.binder = binder
        self.statement = statement
        self.wrap = wrap
        self.stack_ok = stack_ok


def _pin_plan(file: SourceFile, name: str, binder: tree_sitter.Node,
              use: tree_sitter.Node) -> _PinPlan | None:
    pattern = binder.child_by_field_name("pattern")
    type_node = binder.child_by_field_name("type")
    if pattern is None or pattern.type not in ("identifier", "mut_pattern"):
        return None
    if type_node is not None and file.node_text(type_node).lstrip().startswith(("&", "impl")):
        return None  # a reference (moving it pins nothing) or an `impl Trait` parameter
    if binder.type == "let_declaration":
        block = binder.parent
        value = binder.child_by_field_name("value")
        if value is None or file.node_text(value).lstrip().startswith("&"):
            return None
    elif binder.type == "parameter":
        function = locate.enclosing_function(binder)
        block = function.child_by_field_name("body") if function is not None else None
        value = None
    else:
        return None
    if block is None or block.type != "block":
        return None
    statement = next((c for c in block.named_children
                      if c.start_byte <= use.start_byte < c.end_byte), None)
    if statement is None or statement.id == binder.id:
        return None
    # A stack pin cannot travel into a closure or async block that may be sent elsewhere.
    stack_ok = not any(a.type in ("closure_expression", "async_block")
                       and statement.start_byte <= a.start_byte
                       for a in syntax.ancestors(use) if a.end_byte <= statement.end_byte)
    between = file.parsed.data[binder.end_byte:statement.start_byte].decode("utf-8")
    mentioned = re.search(r"\b" + re.escape(name) + r"\b", between) is not None
    wrap = (binder.type == "let_declaration" and value is not None and type_node is None
            and not mentioned)
    return _PinPlan(binder, statement, wrap, stack_ok)


def _pin_edits(file: SourceFile, name: str, plan: _PinPlan,
               pin: str) -> list[TextEdit]:
    if plan.wrap:
        value = plan.binder.child_by_field_name("value")
        pattern = plan.binder.child_by_field_name("pattern")
        assert value is not None and pattern is not None
        edits = [file.insert_before(value, f"{pin}("), file.insert_after(value, ")")]
        if pattern.type == "identifier" and not any(
                c.type == "mutable_specifier" for c in plan.binder.children):
            edits.append(file.insert_before(pattern, "mut "))
        return edits
    return [insert_statement(file, plan.statement, f"let mut {name} = {pin}({name});")]


FAMILY = CannotBeUnpinned()
