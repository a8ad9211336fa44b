"""Where a generic parameter's lifetime requirement comes from and where its bound is written:
the trait bounds the user wrote for it (`K: Debug + Send + Clone`), the `dyn Trait` its value is
boxed into (`Vec<Box<dyn Handler>>` means `dyn Handler + 'static`), and, for a method of a
trait impl, the trait's own declaration of that method. Fact gathering for
param-may-not-live-long-enough, kept apart from the family so the family module holds its
matching, slots and fixes.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.rust import locate, syntax

Node = tree_sitter.Node
_TRAIT_NAME = re.compile(r"(?:\w+::)*(?P<name>\w+)")


def written_bounds(function: Node, param: str, located: locate.Located) -> list[str]:
    """The bounds written for `param` on the fn and on the `impl` it sits in, in order:
    `<T: A>` and `where T: B` both count (`["A", "B"]`)."""
    owners = [function]
    impl = syntax.enclosing(function, "impl_item")
    if impl is not None:
        owners.append(impl)
    found: list[str] = []
    for owner in owners:
        for node in (owner.child_by_field_name("type_parameters"),
                     next((c for c in owner.named_children if c.type == "where_clause"), None)):
            for item in node.named_children if node is not None else []:
                name = (item.child_by_field_name("name") or item.child_by_field_name("left")
                        or (item.named_children[0] if item.named_children else None))
                bounds = item.child_by_field_name("bounds")
                if name is None or bounds is None or located.text(name) != param:
                    continue
                found.extend(located.text(b) for b in bounds.named_children)
    return list(dict.fromkeys(found))


def _principal(dyn: Node, located: locate.Located) -> str | None:
    """The trait a `dyn` type is an object of: `dyn io::Write + Send` → `Write`."""
    trait = dyn.child_by_field_name("trait") or (dyn.named_children[0] if dyn.named_children
                                                  else None)
    found = _TRAIT_NAME.match(located.text(trait)) if trait is not None else None
    return found.group("name") if found else None


def boxed_dyn(root: Node, traits: list[str], required: str,
              located: locate.Located) -> Node | None:
    """The one `dyn Trait` of the file a value bounded by `traits` is boxed into: its trait is
    one of `traits` and its lifetime is `required` (no lifetime written, behind anything but a
    reference, for `'static`). None when there is no such type or more than one."""
    names = {m.group("name") for t in traits if (m := _TRAIT_NAME.match(t))}
    found: dict[tuple[int, int], Node] = {}
    for node in locate.walk(root, named=True):
        if node.type != "dynamic_type" or _principal(node, located) not in names:
            continue
        whole = node.parent if node.parent is not None and node.parent.type == "bounded_type" \
            else node
        written = {located.text(n) for n in locate.walk(whole, named=True) if n.type == "lifetime"}
        behind_reference = whole.parent is not None and whole.parent.type == "reference_type"
        if required == "'static" and (written or behind_reference):
            continue
        if required != "'static" and required not in written:
            continue
        found[(whole.start_byte, whole.end_byte)] = whole
    return next(iter(found.values())) if len(found) == 1 else None


def trait_declaration(function: Node, located: locate.Located) -> Node | None:
    """For a method of `impl Trait for Type`, the trait's declaration of the same method when
    the trait is defined in this file."""
    impl = syntax.enclosing(function, "impl_item")
    trait = impl.child_by_field_name("trait") if impl is not None else None
    name = function.child_by_field_name("name")
    found = _TRAIT_NAME.match(located.text(trait)) if trait is not None else None
    if found is None or name is None:
        return None
    for item in locate.walk(located.parsed.root, named=True):
        item_name = item.child_by_field_name("name")
        if (item.type != "trait_item" or item_name is None
                or located.text(item_name) != found.group("name")):
            continue
        for method in locate.walk(item, named=True):
            method_name = method.child_by_field_name("name")
            if (method.type in ("function_signature_item", "function_item")
                    and method_name is not None
                    and located.text(method_name) == located.text(name)):
                return method
    return None
