"""Every family's example is real: its `before` gets an error from the installed rustc that
borrowlens recognises as that family, its `after` compiles. All of them are crates of one
temporary workspace checked by one cargo invocation, against the fixtures' dependencies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.explain import prose
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.registry import all_families, classify
from borrowlens.analyses.rust.sources import MappingSources
from support.fixtures import FIXTURES, run_cargo_check

FAMILIES = all_families()
# The fixtures' dependency requirements, as pinned in their Cargo.lock.
_DEPENDENCIES = ('tokio = { version = "1", features = ["full"] }\n'
                 'futures = "0.3"\nasync-trait = "0.1"\n')


def _package(family: Family, side: str) -> str:
    return f"ex-{family.id}-{side}"


def _crate(root: Path, family: Family, side: str) -> Path:
    # Not named like the package: cargo's package ids then carry the name (`…#name@0.0.0`).
    return root / side / family.id


def _write_crate(root: Path, family: Family, side: str, source: Path) -> None:
    crate = _crate(root, family, side)
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "{_package(family, side)}"\nversion = "0.0.0"\n'
        f'edition = "{family.example_edition}"\npublish = false\n\n'
        f"[dependencies]\n{_DEPENDENCIES}")
    shutil.copyfile(source, crate / "src" / "lib.rs")


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Any]]]:
    """The workspace of every example and cargo's messages by package."""
    root = tmp_path_factory.mktemp("examples")
    (root / "Cargo.toml").write_text(
        '[workspace]\nresolver = "3"\nmembers = ["before/*", "after/*"]\n')
    shutil.copyfile(FIXTURES / "Cargo.lock", root / "Cargo.lock")
    for family in FAMILIES:
        before, after = prose.example_files(type(family).__module__)
        _write_crate(root, family, "before", before)
        _write_crate(root, family, "after", after)
    return root, run_cargo_check(locked=False, workspace=root)


def _errors(messages: list[Any]) -> list[Diagnostic]:
    return [d for d in from_cargo_messages(messages) if d.level == "error"]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_before_gets_the_family_error(
        family: Family, checked: tuple[Path, dict[str, list[Any]]]) -> None:
    root, messages = checked
    package = _package(family, "before")
    errors = _errors(messages.get(package, []))
    assert errors, f"{family.id}: its example compiles without an error"
    lib = _crate(root, family, "before") / "src" / "lib.rs"
    sources = MappingSources({lib.relative_to(root).as_posix(): lib.read_text(encoding="utf-8")})
    found = [(m.family.id if (m := classify(error, sources)) else None, error.message)
             for error in errors]
    assert [family_id for family_id, _ in found] == [family.id] * len(errors), found


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_after_compiles(family: Family, checked: tuple[Path, dict[str, list[Any]]]) -> None:
    _, messages = checked
    errors = _errors(messages.get(_package(family, "after"), []))
    assert not errors, [e.message for e in errors]
