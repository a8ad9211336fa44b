"""Fixes for higher-ranked "not general enough" errors (hrtb-not-general-enough): annotate a
stored closure's reference parameters, route a closure that returns a borrow of its argument
through an identity helper with a `for<'a>` bound, turn an `Fn(&T) -> Fut` bound into
`AsyncFn(&T) -> U`, and un-pin a private fn from `'static`.

Every edit is checked against the tree; anything that does not fit the known shape yields no
fix.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes import bounds, use_edits, use_lines
from borrowlens.analyses.fixes.blocks import insert_statement
from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items, printed

Node = tree_sitter.Node

# Names a type may use without the file declaring or importing them.
_PRELUDE = frozenset({
    "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128",
    "isize", "f32", "f64", "bool", "char", "String", "Vec", "Option", "Result", "Box",
    "mut", "dyn",
})
_ITEMS = ("struct_item", "enum_item", "type_item", "trait_item", "union_item")
_ASYNC = {"Fn": "AsyncFn", "FnMut": "AsyncFnMut", "FnOnce": "AsyncFnOnce"}


def split_top(text: str) -> list[str]:
    """`&'2 A, B<C, D>` → [`&'2 A`, `B<C, D>`]: commas outside brackets."""
    *parts, last = printed.split_top_level(text)
    return [p.strip() for p in parts] + ([last.strip()] if last.strip() else [])


def signature_parts(signature: str) -> tuple[list[str], str] | None:
    """`fn(&'2 Request, u8) -> usize` → ([`&'2 Request`, `u8`], `usize`)."""
    found = re.fullmatch(r"(?:for<[^>]*>\s*)?fn\((?P<args>.*)\)(?:\s*->\s*(?P<ret>.+))?",
                         signature.strip())
    if found is None:
        return None
    return split_top(found.group("args")), (found.group("ret") or "()")


def nameable(file: SourceFile, written: str, at: Node | None = None) -> bool:
    """True when every name in the type is a prelude type or an item the module around `at`
    (the file's top level without it) declares or imports (rustc prints short names that
    may not be in scope where the edit goes; a nested `mod` sees only its own names, or its
    parent's too through a glob `use`)."""
    if "::" in written or re.search(r"[{}]|\bimpl\b|(?<![\w'])_(?!\w)", written):
        return False
    scope = file.root if at is None else use_lines.module_scope(at)
    own = use_lines.imports(file, scope)
    if any(imp.name == "*" for imp in own):
        declared = {name for name, _ in items.named_items(file.parsed, *_ITEMS)}
        declared |= {imp.name for imp in use_lines.imports(file)}
    else:
        declared = {name for name, item in items.named_items(file.parsed, *_ITEMS)
                    if use_lines.module_scope(item).id == scope.id}
        declared |= {imp.name for imp in own}
    return all(name in _PRELUDE or name in declared
               for name in re.findall(r"(?<!')\b[A-Za-z_]\w*", written))


def annotate_parameters(file: SourceFile, closure: Node,
                        signature: str) -> list[TextEdit] | None:
    """`|req| …` → `|req: &Request| …` for each parameter whose type in rustc's signature
    holds one of its numbered lifetimes (or, in an expected `for<'a> fn(&'a T) -> U` pointer,
    one its `for<…>` binds), when the result borrows none of them."""
    parts = signature_parts(signature)
    binder = re.match(r"\s*for<(?P<bound>[^>]*)>", signature)
    general = set(re.findall(r"'\w+", binder.group("bound"))) if binder else set()
    params = closure.child_by_field_name("parameters")
    if parts is None or params is None:
        return None
    args, returned = parts
    # A reference in the result (`-> &str`, even unnumbered) is what a higher-ranked bound
    # like `for<'a> Fn(&'a T) -> &'a U` ties to the argument; annotating the parameter
    # cannot express that relation (only a `for<'a>` helper can), so leave it to that fix.
    if re.search(r"'\w+|&", returned) or len(args) != len(params.named_children):
        return None
    edits = []
    for arg, param in zip(args, params.named_children, strict=True):
        if not re.search(r"'\d+", arg) and not general & set(re.findall(r"'\w+", arg)):
            continue
        written = printed.strip_lifetimes(arg)
        if param.type != "identifier" or not written.startswith("&") or not nameable(
                file, written, closure):
            return None
        edits.append(file.insert_after(param, f": {written}"))
    return edits or None


def _with_a(written: str) -> str | None:
    if written.count("&") != 1 or not written.startswith("&") or "'" in written:
        return None
    return "&'a " + written[1:].lstrip()


def constrain_closure(file: SourceFile, closure: Node, param_type: str,
                      return_type: str) -> list[TextEdit] | None:
    """`let f = |x: &T| …;` → a local `fn constrain<F: for<'a> Fn(&'a T) -> &'a U>(f: F) ->
    F { f }` before it and `let f = constrain(|x: &T| …);`: passing the closure straight into
    a higher-ranked bound makes rustc infer the lifetime relation it cannot infer alone."""
    statement = closure.parent
    params = closure.child_by_field_name("parameters")
    arg, ret = _with_a(param_type), _with_a(return_type)
    if (statement is None or statement.type != "let_declaration" or params is None
            or len(params.named_children) != 1 or arg is None or ret is None
            or not nameable(file, param_type, closure)
            or not nameable(file, return_type, closure)
            or file.identifiers("constrain")
            or statement.parent is None or statement.parent.type != "block"):
        return None
    helper = f"fn constrain<F: for<'a> Fn({arg}) -> {ret}>(f: F) -> F {{ f }}"
    return [insert_statement(file, statement, helper),
            file.insert_before(closure, "constrain("), file.insert_after(closure, ")")]


def _predicate_of(file: SourceFile, function: Node, name: str) -> list[Node]:
    """The bound lists written for type parameter `name`: inline and in the where clause."""
    found = []
    for node in file.walk(function):
        if node.type in ("where_predicate", "constrained_type_parameter", "type_parameter"):
            left = node.child_by_field_name("left") or node.child_by_field_name("name")
            if left is not None and file.node_text(left) == name and (
                    node.child_by_field_name("bounds") is not None):
                found.append(node)
        if node.type == "block":
            break
    return found


def _delete_listed(file: SourceFile, node: Node) -> TextEdit:
    """Removes one item of a comma-separated list with its comma (its whole line when it is
    alone on it)."""
    following = node.next_sibling
    end = following.end_byte if following is not None and following.type == "," else (
        node.end_byte)
    line_start = file.line_start_byte(node.start_byte)
    newline = file.parsed.data.find(b"\n", end)
    rest = file.parsed.data[end: newline if newline >= 0 else len(file.parsed.data)]
    if not file.parsed.data[line_start:node.start_byte].strip() and not rest.strip():
        return file.edit_bytes(line_start, newline + 1 if newline >= 0 else end, "")
    if end == node.end_byte:
        previous = node.prev_sibling
        if previous is not None and previous.type == ",":
            return file.edit_bytes(previous.start_byte, node.end_byte, "")
    after = end
    while after < len(file.parsed.data) and file.parsed.data[after:after + 1] in (b" ", b"\t"):
        after += 1
    return file.edit_bytes(node.start_byte, after, "")


def async_fn_bound(file: SourceFile, function: Node, future_param: str
                   ) -> tuple[list[TextEdit], str] | None:
    """`F: Fn(&T) -> Fut, Fut: Future<Output = U>` → `F: AsyncFn(&T) -> U`, dropping `Fut`
    from the generics; only when `Fut` appears nowhere else."""
    generics = function.child_by_field_name("type_parameters")
    if generics is None or bounds.is_trait_impl_method(function):
        return None
    fn_bounds = [n for n in file.walk(function) if n.type == "function_type"
                 and (ret := n.child_by_field_name("return_type")) is not None
                 and file.node_text(ret) == future_param]
    future_bounds = _predicate_of(file, function, future_param)
    declared = [n for n in generics.named_children
                if (n.child_by_field_name("name") or n.child_by_field_name("left")
                    or n) is not None and file.node_text(
                        n.child_by_field_name("name") or n.child_by_field_name("left")
                        or n) == future_param]
    uses = file.identifiers(future_param, within=function)
    if len(fn_bounds) != 1 or len(future_bounds) != 1 or len(declared) != 1:
        return None
    trait = fn_bounds[0].child_by_field_name("trait")
    future_bound = future_bounds[0].child_by_field_name("bounds")
    if trait is None or future_bound is None or file.node_text(trait) not in _ASYNC:
        return None
    output = re.fullmatch(r"(?:(?:std|core)::future::)?Future<\s*Output\s*=\s*(?P<out>.+)>",
                          " ".join(file.node_text(future_bound).lstrip(":").split()))
    inline = future_bounds[0] is declared[0]
    if output is None or len(uses) != (2 if inline else 3):
        return None
    edits = [file.replace(trait, _ASYNC[file.node_text(trait)]),
             file.replace(fn_bounds[0].child_by_field_name("return_type") or trait,
                          output.group("out").strip()),
             _delete_listed(file, declared[0])]
    if not inline:
        edits.append(_delete_listed(file, future_bounds[0]))
    edits += use_edits.import_edits(file, edits, drop=["std::future::Future"]) or []
    arguments = fn_bounds[0].child_by_field_name("parameters")
    listed = file.node_text(arguments)[1:-1] if arguments is not None else ""
    written = f"{_ASYNC[file.node_text(trait)]}({listed}) -> {output.group('out').strip()}"
    return edits, written


def unpin_static_fn(file: SourceFile, name: str) -> list[TextEdit] | None:
    """`fn f(x: &'static str) -> &'static str` → `fn f(x: &str) -> &str` for a private fn
    with one reference parameter, used only where the error is, whose body never asks for
    `'static` itself."""
    functions = [n for found, n in items.named_items(file.parsed, "function_item")
                 if found == name]
    if len(functions) != 1 or len(file.identifiers(name)) != 2:
        return None
    function = functions[0]
    body = function.child_by_field_name("body")
    parameters = function.child_by_field_name("parameters")
    if (body is None or parameters is None or bounds.is_trait_impl_method(function)
            or any(c.type == "visibility_modifier" for c in function.children)
            or function.child_by_field_name("type_parameters") is not None
            or re.search(r"'static|\bstatic\b|spawn|leak", file.node_text(body))):
        return None
    params = parameters.named_children
    references = [p for p in params if "&" in file.node_text(p) or "'" in file.node_text(p)]
    if len(references) != 1 or references[0].type != "parameter":
        return None
    signature = [references[0]]
    returned = function.child_by_field_name("return_type")
    if returned is not None:
        signature.append(returned)
    pinned = [n for node in signature for n in items.lifetimes(node)]
    if not pinned or any(file.node_text(n) != "'static" or n.parent is None
                         or n.parent.type != "reference_type" for n in pinned):
        return None
    edits = []
    for lifetime in pinned:
        end = lifetime.end_byte
        while file.parsed.data[end:end + 1] in (b" ", b"\t"):
            end += 1
        edits.append(file.edit_bytes(lifetime.start_byte, end, ""))
    return edits
