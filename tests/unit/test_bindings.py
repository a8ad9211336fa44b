"""Variables (`rust/bindings.py`): the names a pattern binds, which binding a name refers to,
and where a binding is used."""

from __future__ import annotations

import pytest

from borrowlens.analyses.rust import bindings, locate
from borrowlens.analyses.rust.syntax import parse


@pytest.mark.parametrize(("pattern", "names"), [
    ("x", ["x"]),
    ("(a, mut b)", ["a", "b"]),
    ("Some((x, ref y))", ["x", "y"]),
    ("S { a, b: c, .. }", ["a", "c"]),
    ("E::V", []),
    ("None", []),
    ("m::C", []),
])
def test_pattern_names(pattern: str, names: list[str]) -> None:
    parsed = parse(f"fn f() {{ let {pattern} = v; }}\n")
    let = next(n for n in locate.walk(parsed.root) if n.type == "let_declaration")
    found = bindings.pattern_names(parsed, let.child_by_field_name("pattern"))  # type: ignore[arg-type]
    assert [parsed.node_text(n) for n in found] == names


def test_resolve_and_uses_follow_shadowing() -> None:
    parsed = parse("fn f(x: u8) {\n    let y = x;\n    let x = y + 1;\n    g(x, y);\n}\n")
    xs = locate.identifiers(parsed, "x", kinds=("identifier",))
    parameter, first_use, shadow, last_use = xs
    assert bindings.resolve(parsed, first_use) == parameter
    assert bindings.resolve(parsed, last_use) == shadow
    assert bindings.uses_of(parsed, parameter) == [first_use]
    assert bindings.is_binding(shadow) and not bindings.is_binding(last_use)
