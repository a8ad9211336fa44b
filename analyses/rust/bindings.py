"""Variables in a parsed Rust file: the names a pattern binds, which binding a name refers to,
where a binding is used, and every variable declared under a node.

Resolution follows Rust's scoping as far as the syntax shows it (a `let` is visible after
itself in its block, a parameter in its fn or closure, an `if let`/`while let`/`for`/`match`
pattern in its body): enough to follow a value through one function, not a name resolver.
"""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

# Nodes that introduce a pattern, and the field holding it.
_PATTERN_OWNERS = ("let_declaration", "parameter", "let_condition", "for_expression",
                   "match_arm")


def pattern_names(parsed: syntax.Parsed, pattern: Node) -> list[Node]:
    """The identifiers a pattern binds, in source order: `x` and `y` of `Some((x, ref mut y))`,
    `a` of `S { a, .. }`. Not the `Some` or `S`, nor a path (`E::V`, `m::C`), nor an
    upper-case name (`None`, a unit variant, a constant)."""
    out = []
    for node in locate.walk(pattern):
        if node.type not in ("identifier", "shorthand_field_identifier"):
            continue
        parent = node.parent
        if parent is not None and parent.type in ("tuple_struct_pattern", "struct_pattern") \
                and parent.child_by_field_name("type") == node:
            continue
        if parent is not None and parent.type in ("scoped_identifier",
                                                  "scoped_type_identifier"):
            continue
        if parsed.node_text(node)[:1].isupper():
            continue
        out.append(node)
    return out


def declared_names(parsed: syntax.Parsed, within: Node) -> list[tuple[str, Node, Node]]:
    """(name, identifier, binder) for every variable bound under `within`, in source order
    (binders from query `bindings.scm`; `self` is not one of them)."""
    out = []
    for binding in syntax.matches("bindings", within):
        binder = binding["binder"][0]
        for name in pattern_names(parsed, binding["pattern"][0]):
            out.append((parsed.node_text(name), name, binder))
    return sorted(out, key=lambda item: item[1].start_byte)


def _binds(parsed: syntax.Parsed, pattern: Node | None, name: str) -> Node | None:
    """The identifier of `pattern` that binds `name` (the last one, as shadowing goes)."""
    if pattern is None:
        return None
    hits = [n for n in pattern_names(parsed, pattern) if parsed.node_text(n) == name]
    return hits[-1] if hits else None


def resolve(parsed: syntax.Parsed, ident: Node) -> Node | None:
    """The identifier of the pattern that binds the name `ident` uses, in its fn."""
    name = parsed.node_text(ident)
    child = ident
    for node in ancestors(ident):
        kind = node.type
        if kind == "block":
            for statement in reversed(node.named_children):
                if statement.start_byte >= child.start_byte:
                    continue
                if statement.type == "let_declaration":
                    hit = _binds(parsed, statement.child_by_field_name("pattern"), name)
                    if hit is not None:
                        return hit
        elif kind in ("function_item", "closure_expression"):
            params = node.child_by_field_name("parameters")
            if params is not None and child != params:
                for param in params.named_children:
                    pattern = param.child_by_field_name("pattern") \
                        if param.type == "parameter" else param
                    hit = _binds(parsed, pattern, name)
                    if hit is not None:
                        return hit
            if kind == "function_item":
                return None
        elif (kind == "for_expression" and child == node.child_by_field_name("body")) or (
                kind == "match_arm" and child != node.child_by_field_name("pattern")):
            hit = _binds(parsed, node.child_by_field_name("pattern"), name)
            if hit is not None:
                return hit
        elif kind in ("if_expression", "while_expression") \
                and child == node.child_by_field_name("consequence" if kind == "if_expression"
                                                      else "body"):
            condition = node.child_by_field_name("condition")
            for cond in locate.walk(condition) if condition is not None else []:
                if cond.type == "let_condition":
                    hit = _binds(parsed, cond.child_by_field_name("pattern"), name)
                    if hit is not None:
                        return hit
        elif kind in ("impl_item", "trait_item", "mod_item", "source_file"):
            return None
        child = node
    return None


def is_binding(node: Node) -> bool:
    """True for the identifier of a `let`/parameter pattern (not a use of the name)."""
    parent = node.parent
    if parent is not None and parent.type == "mut_pattern":
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in ("let_declaration", "parameter"):
        return parent.child_by_field_name("pattern") == node
    return parent.type == "closure_parameters"


def in_pattern(node: Node) -> bool:
    """True for an identifier that a pattern binds (a declaration, not a use)."""
    child = node
    for ancestor in ancestors(node):
        if ancestor.type in _PATTERN_OWNERS:
            pattern = ancestor.child_by_field_name("pattern")
            return pattern is not None and pattern.id == child.id
        if ancestor.type == "closure_parameters":
            return True
        if ancestor.type in ("block", "arguments", "token_tree", "field_expression",
                             "call_expression"):
            return False
        child = ancestor
    return False


def scope_of(binding: Node) -> Node | None:
    """The region where a binding can be used."""
    for node in ancestors(binding):
        if node.type == "let_declaration":
            return node.parent
        if node.type in ("parameters", "closure_parameters"):
            owner = node.parent
            return owner.child_by_field_name("body") if owner is not None else None
        if node.type == "let_condition":
            return next((a for a in ancestors(node)
                         if a.type in ("if_expression", "while_expression")), None)
        if node.type in ("for_expression", "match_arm"):
            return node
    return None


def uses_of(parsed: syntax.Parsed, binding: Node) -> list[Node] | None:
    """Every identifier that refers to `binding`, in source order; None when the binding's
    scope is not one `scope_of` knows."""
    scope = scope_of(binding)
    if scope is None:
        return None
    found = []
    for node in locate.identifiers(parsed, parsed.node_text(binding), scope, ("identifier",)):
        if node.start_byte <= binding.start_byte or in_pattern(node):
            continue
        target = resolve(parsed, node)
        if target is not None and target.start_byte == binding.start_byte:
            found.append(node)
    return found
