"""E0597 caused by a stored callback that is not higher-ranked: a type keeps a
`Box<dyn Fn(&'a T) + 'a>` (or `&'a dyn FnMut(&'a T)`, `fn(&'a T)`) whose *argument* carries the
type's own lifetime, so every value handed to the callback must live for the whole `'a`. A
caller that builds the value per call (`let line = format!(…); emitter.emit(&line);`) gets
"`line` does not live long enough … argument requires that `line` is borrowed for `'1`", where
`'1` is the lifetime of the type it calls through.

The cause is the field's type (and the method parameter that passes the value on): the
callback only needs the argument during the call, which `Fn(&T)` says (it means
`for<'x> Fn(&'x T)`). Facts: the variable, the type and its callback field, the method called,
the lifetime, the cause (`file:line` of the field).
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
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

_MESSAGE = re.compile(r"`([^`]+)` does not live long enough|borrowed value does not live long "
                      r"enough")
_ARGUMENT = re.compile(r"(?:argument|assignment) requires that `(?P<var>[^`]+)` is borrowed for "
                       r"`(?P<lt>'[^`]+)`")
_HAS_TYPE = re.compile(r"has type `&(?:'\w+ )?(?:mut )?(?P<type>[A-Za-z_]\w*)<")
_CALLABLE = ("Fn", "FnMut", "FnOnce")


class Shape:
    """What the source shows: the struct, its callback field and lifetime, the method."""

    def __init__(self, struct: Node, field: Node, lifetime: str, method: Node | None,
                 parameter: Node | None) -> None:
        self.struct, self.field, self.lifetime = struct, field, lifetime
        self.method, self.parameter = method, parameter


def _lifetime_params(node: Node) -> list[Node]:
    generics = node.child_by_field_name("type_parameters")
    return [c for c in generics.named_children if c.type == "lifetime_parameter"] \
        if generics is not None else []


def _callbacks_with(field: Node, lifetime: str, parsed: syntax.Parsed) -> list[Node]:
    """The `Fn(…)` / `fn(…)` types under `field` whose parameters mention `lifetime`."""
    found = []
    for node in locate.walk(field, named=True):
        if node.type != "function_type":
            continue
        trait = node.child_by_field_name("trait")
        if trait is not None and parsed.node_text(trait) not in _CALLABLE:
            continue
        parameters = node.child_by_field_name("parameters")
        if parameters is not None and any(
                parsed.node_text(lt) == lifetime for lt in items.lifetimes(parameters)):
            found.append(node)
    return found


def _impl_lifetime(impl: Node, struct_lifetime_index: int, parsed: syntax.Parsed) -> str | None:
    kind = impl.child_by_field_name("type")
    if kind is None:
        return None
    arguments = [parsed.node_text(n) for n in items.lifetimes(kind)]
    return arguments[struct_lifetime_index] if struct_lifetime_index < len(arguments) else None


def _impls_of(parsed: syntax.Parsed, name: str) -> list[Node]:
    found = []
    for node in locate.walk(parsed.root, named=True,
                            into=lambda n: n.type in ("source_file", "mod_item",
                                                      "declaration_list")):
        if node.type == "impl_item" and node.child_by_field_name("trait") is None:
            kind = node.child_by_field_name("type")
            if kind is not None and re.match(rf"{re.escape(name)}\b", parsed.node_text(kind)):
                found.append(node)
    return found


def find_shape(parsed: syntax.Parsed, call: Node, type_name: str | None,
               argument_index: int) -> Shape | None:
    """The callback behind a call: `(x.cb)(&v)` calls the field directly; `x.emit(&v)` calls a
    method whose parameter carries the type's lifetime into a callback field."""
    function = call.child_by_field_name("function")
    direct = function is not None and function.type == "parenthesized_expression"
    while function is not None and function.type == "parenthesized_expression":
        function = function.named_children[0] if function.named_children else None
    if function is not None and function.type == "identifier":
        # `for handler in &self.handlers { handler(&msg) }`: a callback taken from a field.
        name = _loop_field(parsed, function)
        direct = True
        if name is None:
            return None
    elif function is None or function.type != "field_expression":
        return None
    else:
        name_node = function.child_by_field_name("field")
        if name_node is None:
            return None
        name = parsed.node_text(name_node)
    for struct_name, struct in items.named_items(parsed, "struct_item"):
        if type_name is not None and struct_name != type_name:
            continue
        lifetimes = [parsed.node_text(lt) for lt in _lifetime_params(struct)]
        fields = {parsed.node_text(f.child_by_field_name("name") or f): f
                  for f in items.field_declarations(struct)}
        if direct:
            field = fields.get(name)
            for lifetime in lifetimes:
                if field is not None and _callbacks_with(field, lifetime, parsed):
                    return Shape(struct, field, lifetime, None, None)
            continue
        for impl in _impls_of(parsed, struct_name):
            for method_name, method in items.named_items(parsed, "function_item", within=impl):
                if method_name != name:
                    continue
                parameters = method.child_by_field_name("parameters")
                listed = [p for p in parameters.named_children if p.type == "parameter"] \
                    if parameters is not None else []
                if argument_index >= len(listed):
                    continue
                parameter = listed[argument_index]
                written = {parsed.node_text(lt) for lt in items.lifetimes(parameter)}
                for index, lifetime in enumerate(lifetimes):
                    if _impl_lifetime(impl, index, parsed) not in written:
                        continue
                    pattern = parameter.child_by_field_name("pattern")
                    for field_name, field in fields.items():
                        # The method must only hand the value to the callback: if it also
                        # stores it, the value really has to outlive the type.
                        if _callbacks_with(field, lifetime, parsed) and pattern is not None and \
                                feeds_only(parsed, method.child_by_field_name("body"),
                                           parsed.node_text(pattern), field_name):
                            return Shape(struct, field, lifetime, method, parameter)
    return None


def _loop_field(parsed: syntax.Parsed, callee: Node) -> str | None:
    """The field a loop variable iterates over: `for h in &self.handlers` → `handlers`."""
    name = parsed.node_text(callee)
    loop = syntax.enclosing(callee, "for_expression")
    while loop is not None:
        pattern, value = loop.child_by_field_name("pattern"), loop.child_by_field_name("value")
        if pattern is not None and value is not None and parsed.node_text(pattern) == name:
            found = re.match(r"&?\s*(?:mut\s+)?self\.(\w+)", parsed.node_text(value))
            return found.group(1) if found else None
        loop = syntax.enclosing(loop.parent, "for_expression") if loop.parent else None
    return None


class CallbackNotHigherRanked(Family):
    id = "callback-not-higher-ranked"
    title = "Stored callback pinned to the type's lifetime"
    codes = ("E0597",)
    messages = (_MESSAGE.pattern,)
    refines = ("does-not-live-long-enough",)
    fix_docs: ClassVar[dict[str, str]] = {
        "elide-callback-lifetime": "the callback's argument loses the type's lifetime "
            "(`Box<dyn Fn(&T) + 'a>`), and so does the parameter that passes it on",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0597" and not _MESSAGE.search(diagnostic.message):
            return None
        argument = common.labelled(diagnostic, _ARGUMENT.pattern)
        if argument is None or argument[1].group("lt") == "'static":
            return None
        span, found = argument
        text = sources.text(span.file)
        if text is None:
            return None
        parsed = syntax.parse(text)
        # The borrow (the primary span) is an argument of the call: from the primary rather
        # than the call's label, which pasted text only places at the start of its line.
        primary = diagnostic.primary
        borrow = locate.covering(parsed, primary) if primary is not None else None
        holder = syntax.enclosing(borrow, "arguments") if borrow is not None else None
        call = holder.parent if holder is not None else None
        if holder is None or call is None or call.type != "call_expression":
            return None
        index = next((i for i, arg in enumerate(holder.named_children)
                      if borrow is not None and arg.start_byte <= borrow.start_byte
                      and borrow.end_byte <= arg.end_byte), 0)
        typed = diagnostic.find(_HAS_TYPE)
        shape = find_shape(parsed, call, typed.group("type") if typed else None, index)
        if shape is None:
            return None
        facts: dict[str, FactValue] = {
            "variable": found.group("var"), "lifetime": shape.lifetime,
            "type": locate.name_of(parsed, shape.struct) or "",
            "field": parsed.node_text(shape.field.child_by_field_name("name") or shape.field),
            "callback_type": parsed.node_text(shape.field.child_by_field_name("type")
                                              or shape.field),
            "cause": f"{span.file}:{parsed.start(shape.field)[0]}",
            "cause_line": parsed.start(shape.field)[0], "call_line": span.line_start}
        related = [Related(node_span(parsed, shape.field, span.file),
                           f"the callback's argument carries `{shape.lifetime}`: write "
                           "it without the lifetime (`Fn(&T)`), so it takes any borrow")]
        if shape.method is not None and shape.parameter is not None:
            facts["method"] = locate.name_of(parsed, shape.method) or ""
            facts["method_line"] = parsed.start(shape.parameter)[0]
            related.append(Related(node_span(parsed, shape.parameter, span.file),
                                   f"this parameter ties each argument to `{shape.lifetime}`"))
        dropped = common.labelled(diagnostic, r"dropped here while still borrowed")
        if dropped is not None:
            facts["dropped_line"] = dropped[0].line_start
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        callback = match.fact("callback_type")
        lifetime = match.fact("lifetime") or "'a"
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.code("variable", "the value"),
            "type_": match.code("type", "the type"), "field": match.fact("field"),
            "callback": callback, "lifetime": lifetime,
            "elided": _elide(callback, lifetime) if callback else None,
            "method": match.fact("method"), "cause_line": match.fact("cause_line"),
            "call_line": match.fact("call_line"), "dropped_line": match.fact("dropped_line"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Elide the lifetime from the callback's arguments in the struct and its inherent
        impls, and from the called method's parameter when it only feeds the callback."""
        diagnostic = match.diagnostic
        argument = common.labelled(diagnostic, _ARGUMENT.pattern) if diagnostic else None
        type_name, field_name = match.fact("type"), match.fact("field")
        lifetime = match.fact("lifetime")
        if argument is None or not type_name or not field_name or not lifetime:
            return []
        file = SourceFile.load(sources, argument[0].file)
        struct = next((s for n, s in items.named_items(file.parsed, "struct_item")
                       if n == type_name), None) if file is not None else None
        if file is None or struct is None:
            return []
        index = next((i for i, lt in enumerate(_lifetime_params(struct))
                      if file.node_text(lt) == lifetime), None)
        if index is None:
            return []
        edits = _elisions(file, struct, lifetime)
        for impl in _impls_of(file.parsed, type_name):
            impl_lifetime = _impl_lifetime(impl, index, file.parsed)
            if impl_lifetime is None:
                return []
            edits.extend(_elisions(file, impl, impl_lifetime))
            method = next((m for n, m in items.named_items(file.parsed, "function_item",
                                                            within=impl)
                           if n == match.fact("method")), None)
            if method is not None:
                edits.extend(_parameter_elisions(file, method, impl_lifetime, field_name))
        if any(e is None for e in edits):
            return []
        return one_fix("elide-callback-lifetime",
                       f"Let `{type_name}.{field_name}` take any borrow: drop `{lifetime}` "
                       "from the callback's argument", [e for e in edits if e], preferred=True)


def _elide(written: str, lifetime: str) -> str:
    """`Box<dyn Fn(&'a str) + 'a>` → `Box<dyn Fn(&str) + 'a>` (inside the argument list)."""
    return re.sub(r"(\b(?:Fn|FnMut|FnOnce|fn)\()([^)]*)\)",
                  lambda m: m.group(1) + re.sub(rf"{re.escape(lifetime)}\b\s*", "",
                                                m.group(2)) + ")", written)


def drop_lifetime(file: SourceFile, lifetime: Node) -> TextEdit:
    """Deletes `'a ` in `&'a T` (the lifetime and the blank after it); static-required's
    annotation fix drops a `'static` the same way."""
    end = lifetime.end_byte
    data = file.parsed.data
    while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
        end += 1
    return file.edit_bytes(lifetime.start_byte, end, "")


def _elisions(file: SourceFile, scope: Node, lifetime: str) -> list[TextEdit | None]:
    """For every callback type under `scope` whose arguments carry `lifetime`: drop it from
    the `&'a` references of the arguments (None when the return type needs it too)."""
    edits: list[TextEdit | None] = []
    for callback in _callbacks_with(scope, lifetime, file.parsed):
        result = callback.child_by_field_name("return_type")
        if result is not None and any(file.node_text(lt) == lifetime
                                      for lt in items.lifetimes(result)):
            return [None]
        parameters = callback.child_by_field_name("parameters")
        for reference in locate.walk(parameters, named=True) if parameters else []:
            if reference.type != "reference_type":
                continue
            written = next((c for c in reference.named_children if c.type == "lifetime"), None)
            if written is not None and file.node_text(written) == lifetime:
                edits.append(drop_lifetime(file, written))
    return edits


def feeds_only(parsed: syntax.Parsed, body: Node | None, name: str, field: str) -> bool:
    """True when every use of `name` in `body` is an argument of the callback field
    (`(self.field)(name)`): the method only hands the value on, it keeps nothing."""
    uses = locate.identifiers(parsed, name, body, ("identifier",)) if body is not None else []
    for use in uses:
        call = syntax.enclosing(use, "call_expression")
        function = call.child_by_field_name("function") if call is not None else None
        if function is None or not re.fullmatch(rf"\(\s*self\.{re.escape(field)}\s*\)",
                                                parsed.node_text(function)):
            return False
    return True


def _parameter_elisions(file: SourceFile, method: Node, lifetime: str,
                        field: str) -> list[TextEdit | None]:
    """`s: &'a str` → `s: &str` for the parameters of `method` that carry `lifetime` and are
    only ever passed to the callback (`(self.field)(s)`); anything else keeps the method."""
    parameters = method.child_by_field_name("parameters")
    body = method.child_by_field_name("body")
    edits: list[TextEdit | None] = []
    for parameter in parameters.named_children if parameters is not None else []:
        kind = parameter.child_by_field_name("type")
        pattern = parameter.child_by_field_name("pattern")
        if parameter.type != "parameter" or kind is None or pattern is None or \
                kind.type != "reference_type":
            continue
        written = next((c for c in kind.named_children if c.type == "lifetime"), None)
        if written is None or file.node_text(written) != lifetime or any(
                file.node_text(lt) == lifetime for lt in items.lifetimes(kind)[1:]):
            continue
        if not feeds_only(file.parsed, body, file.node_text(pattern), field):
            return [None]
        edits.append(drop_lifetime(file, written))
    return edits


FAMILY = CallbackNotHigherRanked()
