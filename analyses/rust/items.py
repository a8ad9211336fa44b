"""Query-backed searches over a parsed file: its named items, its field declarations, the
lifetimes written under a node.

Nothing here builds an edit (that is `analyses/fixes/`). Searches run the `.scm` queries of
`analyses/rust/queries/` and return nodes in source order, as a walk of the tree would meet
them.
"""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.rust import syntax

Node = tree_sitter.Node

ITEM_KINDS = ("struct_item", "enum_item", "union_item", "type_item", "trait_item",
              "function_item")


def named_items(parsed: syntax.Parsed, *kinds: str,
                within: Node | None = None) -> list[tuple[str, Node]]:
    """(name, item) for every named item of one of `kinds` (all of `ITEM_KINDS` without
    them) under `within` (the whole file by default), in source order: query
    `named_items.scm`. Items nested in bodies and the methods of impls and traits count."""
    wanted = kinds or ITEM_KINDS
    found = []
    for match in syntax.matches("named_items", within or parsed.root):
        item = match["item"][0]
        if item.type in wanted:
            found.append((parsed.node_text(match["name"][0]), item))
    return found


def field_declarations(node: Node) -> list[Node]:
    """Every named `field_declaration` under `node` (struct, union and enum-variant fields),
    in source order: query `field_declarations.scm`."""
    return syntax.captured("field_declarations", node, "field")


def lifetimes(node: Node) -> list[Node]:
    """Every `lifetime` node under `node` (`'a`, `'static`, `'_`), in source order: query
    `lifetimes.scm`."""
    return syntax.captured("lifetimes", node, "lifetime")
