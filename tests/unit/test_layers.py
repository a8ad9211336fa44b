"""The layers of `analyses/`: each module imports only its own layer and the ones below it
(diagnostics < rust < fixes < explain < families), and nothing in the pure core imports the
editor protocol libraries, spawns processes or reaches into the server.

Read with `ast` (nothing is imported), so an import inside a function or behind
`TYPE_CHECKING` counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ANALYSES = Path(__file__).resolve().parents[2] / "analyses"
PACKAGE = "borrowlens.analyses"
LAYERS = ("diagnostics", "rust", "fixes", "explain", "families")
# What the pure core may never import (a module or anything under it).
FORBIDDEN = ("pygls", "lsprotocol", "subprocess", "borrowlens.server")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ANALYSES).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) for every import in the tree: `import a.b`, `from a import b` (as
    `a.b`, since `b` may be a module), relative imports resolved against `module`, and
    `importlib.import_module("a.b")` with a literal name."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                     or (isinstance(node.func, ast.Name)
                         and node.func.id in ("import_module", "__import__"))):
            found.append((node.lineno, node.args[0].value))
    return found


def _layer(module: str) -> int | None:
    """The index of the module's layer in LAYERS; None outside them (the package itself)."""
    if not module.startswith(PACKAGE + "."):
        return None
    first = module[len(PACKAGE) + 1:].split(".", maxsplit=1)[0]
    return LAYERS.index(first) if first in LAYERS else None


def violations(path: Path, source: str) -> list[str]:
    """What `source` (the text of `path` under analyses/) imports that it may not."""
    module = _module_name(path)
    own = _layer(module)
    out = []
    for line, imported in _imported(ast.parse(source), module, path.name == "__init__.py"):
        where = f"{path.relative_to(ANALYSES.parent)}:{line}"
        if any(imported == bad or imported.startswith(bad + ".") for bad in FORBIDDEN):
            out.append(f"{where} imports {imported}: the pure core may not")
            continue
        target = _layer(imported)
        if target is not None and (own is None or target > own):
            mine = LAYERS[own] if own is not None else "the package root"
            out.append(f"{where} imports {imported}: {LAYERS[target]} is above {mine}")
    return out


def _modules() -> list[Path]:
    return sorted(ANALYSES.rglob("*.py"))


def test_every_layer_has_modules() -> None:
    layers = {_layer(_module_name(path)) for path in _modules()}
    assert set(range(len(LAYERS))) <= layers


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ANALYSES)))
def test_imports_respect_the_layers(path: Path) -> None:
    assert violations(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("path", "source"), [
    ("fixes/x.py", "from borrowlens.analyses.families.base import Match\n"),
    ("fixes/x.py", "from borrowlens.analyses import families\n"),
    ("rust/x.py", "def f():\n    from borrowlens.analyses.fixes import edits\n"),
    ("fixes/rc_to_arc/x.py", "from ...explain import prose\n"),
    ("explain/x.py", "import importlib\nimportlib.import_module('borrowlens.analyses.families')\n"),
    ("diagnostics/x.py", "import subprocess\n"),
    ("families/x.py", "from lsprotocol import types\n"),
    ("families/x.py", "from borrowlens.server import session\n"),
    ("__init__.py", "from borrowlens.analyses.diagnostics import model\n"),
])
def test_a_violation_is_caught(path: str, source: str) -> None:
    assert violations(ANALYSES / path, source)


@pytest.mark.parametrize(("path", "source"), [
    ("families/x.py", "from borrowlens.analyses.fixes.edits import Fix\n"),
    ("fixes/x.py", "from borrowlens.analyses.rust import locate\n"),
    ("fixes/guards/x.py", "from . import values\nfrom ..edits import Fix\n"),
    ("explain/x.py", "from borrowlens.analyses.explain.model import Explanation\n"),
])
def test_a_lower_or_same_layer_is_fine(path: str, source: str) -> None:
    assert violations(ANALYSES / path, source) == []
