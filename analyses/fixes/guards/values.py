"""What the guard fixes read in the code around a guard: the statements of a block, what a
`let` binds, which names code mentions, and whether a value is owned — computed from a guard
without borrowing from it, so that it may outlive the guard's scope."""

from __future__ import annotations

import re
from collections.abc import Iterable

import tree_sitter

from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate

Node = tree_sitter.Node

COMMENTS = ("line_comment", "block_comment")
# Methods whose result, called on a guard, owns its data.
OWNED_ON_GUARD = frozenset((
    "pop", "pop_front", "pop_back", "pop_first", "pop_last", "remove", "take", "len",
    "is_empty", "contains", "contains_key", "clone", "to_string", "to_vec", "is_some",
    "is_none"))
# Methods of std collections that return `Option<&T>`.
OPTION_REF = frozenset(("get", "first", "last", "front", "back", "peek"))
CLONED = frozenset(("cloned", "copied"))
# Outermost methods that make a value owned whatever it was computed from.
_OWNED_RESULT = frozenset((
    "len", "is_empty", "count", "contains", "contains_key", "to_string", "to_vec",
    "is_some", "is_none", "pop", "pop_front", "pop_back", "remove", "take", "sum",
    "starts_with", "ends_with", "eq", "ne"))
# `Option`/`Result` unwrapping: owned exactly when what is unwrapped is.
_PASS_THROUGH = frozenset(("unwrap", "expect", "unwrap_or", "unwrap_or_default",
                           "unwrap_or_else"))


def mentions(file: SourceFile, node: Node, name: str) -> bool:
    """True when `name` appears as an identifier under `node`, or as an inline format
    argument (`"{name}"`) of a macro."""
    return any(found == name for found, _ in locate.names_in(file.parsed, node))


def statements(block: Node) -> list[Node]:
    """The statements of a block, comments left out."""
    return [c for c in block.named_children if c.type not in COMMENTS]


def simple_binding(file: SourceFile, let: Node) -> tuple[str, bool] | None:
    """(name, mutable) for `let [mut] name[: T] = …;` without `else`, else None."""
    pattern = let.child_by_field_name("pattern")
    if pattern is None or pattern.type != "identifier" or \
            let.child_by_field_name("alternative") is not None:
        return None
    mutable = any(c.type == "mutable_specifier" for c in let.children)
    return file.node_text(pattern), mutable


def bound_names(file: SourceFile, let: Node) -> list[str]:
    """Every identifier in a `let`'s pattern."""
    pattern = let.child_by_field_name("pattern")
    if pattern is None:
        return []
    return [file.node_text(n) for n in locate.walk(pattern) if n.type == "identifier"]


def method_call(node: Node) -> tuple[Node, str] | None:
    """(receiver, method) for `receiver.method(…)`."""
    if node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is not None and function.type == "generic_function":  # `x.sum::<u32>()`
        function = function.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    receiver = function.child_by_field_name("value")
    field = function.child_by_field_name("field")
    if receiver is None or field is None or field.text is None:
        return None
    return receiver, field.text.decode("utf-8")


def looks_owned(file: SourceFile, value: Node, locals_: Iterable[str]) -> bool:
    """True when `value` cannot be a borrow of one of `locals_`: it does not mention them, or
    its outermost operation visibly produces an owned value."""
    names = list(locals_)
    if not any(mentions(file, value, name) for name in names):
        return True
    while value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    if value.type in ("binary_expression", "type_cast_expression", "integer_literal",
                      "boolean_literal", "float_literal"):
        return True
    if value.type in ("field_expression", "index_expression"):
        # Moving out of a guard does not compile, so a plain place read is a copy.
        return file.node_text(value).lstrip("(").split(".")[0].split("[")[0].isidentifier()
    if value.type == "unary_expression" and file.node_text(value).startswith(("*", "!", "-")):
        return True
    if value.type == "try_expression" and value.named_children:
        # `x?` unwraps an `Option`/`Result`: owned exactly when `x` is. The `?` may return
        # from the function, which it does just the same from inside the new block.
        return looks_owned(file, value.named_children[0], names)
    if value.type == "match_expression":
        return _match_owned(file, value, names)
    call = method_call(value)
    if call is None:
        return False
    receiver, method = call
    if method in _OWNED_RESULT:
        return True
    if method in _PASS_THROUGH:
        return looks_owned(file, receiver, names)
    if method in CLONED:
        inner = method_call(receiver)
        return inner is not None and inner[1] in OPTION_REF
    if method in ("clone", "to_owned"):
        # `x.clone()` is owned unless `x` is itself a reference (`guard.get(k).clone()`).
        inner = method_call(receiver)
        return inner is None and receiver.type in ("identifier", "field_expression", "self")
    return False


_DIVERGING = ("return_expression", "break_expression", "continue_expression")


def _match_owned(file: SourceFile, match: Node, names: list[str]) -> bool:
    """`match owned { Some(x) => x, None => return … }`: owned when the scrutinee is and
    every arm either leaves (`return`, `break`, `continue`, `panic!`) or gives a name its
    own pattern binds by value (or a value that looks owned)."""
    scrutinee = match.child_by_field_name("value")
    body = match.child_by_field_name("body")
    if scrutinee is None or body is None or not looks_owned(file, scrutinee, names):
        return False
    arms = [a for a in body.named_children if a.type == "match_arm"]
    if not arms:
        return False
    for arm in arms:
        pattern = arm.child_by_field_name("pattern")
        value = arm.child_by_field_name("value")
        if pattern is None or value is None:
            return False
        while value.type == "block" and len(value.named_children) == 1:
            value = value.named_children[0]
            if value.type == "expression_statement" and value.named_children:
                value = value.named_children[0]
        if value.type in _DIVERGING:
            continue
        if value.type == "macro_invocation" and re.match(
                r"(?:std::|core::)?(?:panic|unreachable|todo|unimplemented)!",
                file.node_text(value)):
            continue
        if re.search(r"\bref\b|&", file.node_text(pattern)):
            return False
        if value.type == "identifier" and any(
                n.type == "identifier" and file.node_text(n) == file.node_text(value)
                for n in file.walk(pattern)):
            continue
        if not looks_owned(file, value, names):
            return False
    return True
