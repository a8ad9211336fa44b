"""Pure layer: `scripts/new-family` scaffolds a family that already works as one. Scaffolded
into a temporary root, the module imports, declares what a family declares, fits the
registry's order, claims no recorded diagnostic, and its prose renders with no facts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from borrowlens.analyses.explain import prose, render
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.registry import all_families, refinement_order
from support import new_family
from support.fixtures import cases

ROOT = Path(__file__).resolve().parents[2]
GROUPS = [None, *new_family.GROUPS]


def _scaffold(root: Path, family_id: str, group: str | None) -> None:
    argv = [family_id, "--root", str(root), *(["--group", group] if group else [])]
    assert new_family.main(argv) == 0


def _load(root: Path, family_id: str, group: str | None,
          monkeypatch: pytest.MonkeyPatch) -> Family:
    """The scaffolded module imported under the name it will have in the package (prose
    finds its template by that name), with the prose loader also looking in `root`."""
    package = "borrowlens.analyses.families" + (f".{group}" if group else "")
    name = f"{package}.{family_id.replace('-', '_')}"
    path = root / "analyses" / "families" / (group or "") / f"{name.rsplit('.', 1)[1]}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    environment = prose.environment()
    assert environment.loader is not None
    overlay = environment.overlay(loader=jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(root / "analyses" / "families"), environment.loader]))
    monkeypatch.setattr(prose, "environment", lambda: overlay)
    family = module.FAMILY
    assert isinstance(family, Family)
    return family


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g or "own-module")
def test_scaffold_writes_a_working_family(group: str | None, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    family_id = "drop-while-borrowed"
    _scaffold(tmp_path, family_id, group)
    module_dir = tmp_path / "analyses" / "families" / (group or "")
    case = tmp_path / "tests" / "fixtures" / family_id / "basic"
    examples = module_dir / "examples"
    for path in (module_dir / "drop_while_borrowed.py", module_dir / "drop_while_borrowed.md",
                 examples / "drop_while_borrowed.before.rs",
                 examples / "drop_while_borrowed.after.rs",
                 case / "Cargo.toml", case / "src" / "lib.rs", case / "expect.toml"):
        assert path.is_file(), path

    family = _load(tmp_path, family_id, group, monkeypatch)
    assert type(family).__name__ == "DropWhileBorrowed"
    assert family.id == family_id and family.title
    assert family.fix_ids == () and family.design_choices
    assert family.codes or family.messages or family.notes, "a scaffold needs a trigger"
    assert [f.id for f in refinement_order([*all_families(), family])
            if f.id == family_id] == [family_id]
    if group == "send":
        assert family.refines == ("future-not-send",)

    explanation = family.explain(family.generic())
    full = render.markdown(explanation, full=True)
    for part in (explanation.tldr, explanation.what, explanation.why, explanation.fix,
                 explanation.rule):
        assert part.strip()
    assert "\n" not in explanation.tldr and "None" not in full
    assert explanation.caveat and explanation.links and explanation.background
    if group:  # a group's families share its background passage
        assert "TODO" not in explanation.background

    expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
    assert expect["family"] == family_id and expect["fixes"]["offered"] == []
    cargo = tomllib.loads((case / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["package"]["name"] == f"fx-{family_id}-basic"


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g or "own-module")
def test_a_scaffold_claims_nothing_yet(group: str | None, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Until its TODOs are done a scaffold matches no diagnostic, so dropping it into the
    package changes no classification."""
    _scaffold(tmp_path, "drop-while-borrowed", group)
    family = _load(tmp_path, "drop-while-borrowed", group, monkeypatch)
    for case in cases():
        sources = case.sources()
        for diagnostic in case.recorded():
            assert family.match(diagnostic, sources) is None, case.id


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    _scaffold(tmp_path, "drop-while-borrowed", "borrows")
    lib = tmp_path / "tests" / "fixtures" / "drop-while-borrowed" / "basic" / "src" / "lib.rs"
    lib.write_text("// mine\n", encoding="utf-8")
    assert new_family.main(["drop-while-borrowed", "--root", str(tmp_path)]) == 1
    assert lib.read_text(encoding="utf-8") == "// mine\n"


def test_a_bad_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        new_family.main(["Drop_While", "--root", str(tmp_path)])


def test_the_script_runs_the_scaffold(tmp_path: Path) -> None:
    result = subprocess.run([str(ROOT / "scripts" / "new-family"), "held-across-yield",
                             "--group", "send", "--root", str(tmp_path)],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "support.record held-across-yield" in result.stdout
    assert (tmp_path / "analyses" / "families" / "send" / "held_across_yield.py").is_file()
