"""Fixture crates: discovery, their expectations, recorded and live rustc output.

Layout: `tests/fixtures/<family-id>/<case>/` holds a crate (Cargo.toml, src/), `expect.toml`
(what borrowlens must make of it) and `rustc.json` (the compiler messages recorded from the
installed rustc by `python -m support.record`, paths relative to tests/fixtures).
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.rust.sources import MappingSources

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CACHE = Path(os.environ.get("BORROWLENS_CACHE",
                            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                            / "borrowlens"))
TARGET_DIR = CACHE / "fixtures-target"


@dataclass(frozen=True)
class Case:
    """One fixture crate and what is expected of it."""

    family: str
    name: str
    path: Path
    expect: dict[str, Any] = field(hash=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"

    @property
    def package(self) -> str:
        data = tomllib.loads((self.path / "Cargo.toml").read_text())
        return str(data["package"]["name"])

    def sources(self) -> MappingSources:
        """Every .rs file of the crate, keyed by its path relative to tests/fixtures."""
        files = {str(p.relative_to(FIXTURES)): p.read_text(encoding="utf-8")
                 for p in sorted(self.path.rglob("*.rs"))}
        return MappingSources(files)

    def recorded(self) -> list[Diagnostic]:
        lines = (self.path / "rustc.json").read_text(encoding="utf-8").splitlines()
        return from_cargo_messages(lines)

    def recorded_raw(self) -> list[dict[str, Any]]:
        lines = (self.path / "rustc.json").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["message"] for line in lines if line.strip()]


def cases() -> list[Case]:
    found = []
    for expect in sorted(FIXTURES.glob("*/*/expect.toml")):
        case_dir = expect.parent
        if case_dir.parent.name.startswith("_"):
            continue
        found.append(Case(family=case_dir.parent.name, name=case_dir.name, path=case_dir,
                          expect=tomllib.loads(expect.read_text(encoding="utf-8"))))
    return found


def published_error(case_id: str) -> tuple[str, list[dict[str, Any]]]:
    """A case's first recorded error as rust-analyzer publishes it: the URI of its primary
    file and the LSP diagnostics for that file."""
    from borrowlens.server.rustc_lsp import to_lsp  # noqa: PLC0415  (the server's glue)
    case = next(c for c in cases() if c.id == case_id)
    message = next(m for m in case.recorded_raw() if m["level"] == "error")
    pairs = to_lsp(message, FIXTURES)
    uri = pairs[0][0]
    return uri, [d for u, d in pairs if u == uri]


def target(case: Case, diagnostics: list[Diagnostic]) -> Diagnostic:
    """The diagnostic a case is about: the first error whose message contains
    `expect.message` (default: the first error)."""
    needle = case.expect.get("message", "")
    for diagnostic in diagnostics:
        if diagnostic.level == "error" and needle in diagnostic.message:
            return diagnostic
    raise AssertionError(f"{case.id}: no error containing {needle!r} in "
                         f"{[d.message for d in diagnostics]}")


def run_cargo_check(packages: list[str] | None = None, *, locked: bool = True,
                    message_format: str = "json",
                    workspace: Path = FIXTURES) -> dict[str, list[dict[str, Any]]]:
    """Runs the real `cargo check` over the fixture workspace; raw compiler messages by package.

    One invocation for all fixtures (dependencies are built once, in a per-user cache; another
    `workspace` with the fixtures' Cargo.lock shares that build). It
    fails loudly, never skips, when cargo is missing: these tests prove behaviour against the
    real compiler.
    """
    cmd = ["cargo", "check", "--keep-going", f"--message-format={message_format}", "--quiet"]
    # Tests insist on the committed lock being complete; recording may extend it.
    if locked:
        cmd.append("--locked")
    if packages:
        for package in packages:
            cmd += ["-p", package]
    else:
        cmd.append("--workspace")
    env = {**os.environ, "CARGO_TARGET_DIR": str(TARGET_DIR), "CARGO_TERM_COLOR": "never"}
    proc = subprocess.run(cmd, cwd=workspace, env=env, capture_output=True, text=True,
                          check=False)
    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if obj.get("reason") != "compiler-message":
            continue
        # package_id looks like "path+file:///…/fixtures/fam/case#fx-name@0.0.0"
        name = str(obj["package_id"]).rsplit("#", 1)[-1].split("@", 1)[0]
        by_package[name].append(obj)
    if not by_package and proc.returncode != 0:
        raise RuntimeError(f"cargo check failed to run:\n{proc.stderr[-4000:]}")
    return dict(by_package)


@cache
def live_messages() -> dict[str, list[dict[str, Any]]]:
    return run_cargo_check()


@cache
def live_coloured_messages() -> dict[str, list[dict[str, Any]]]:
    """The same run with rustc's rendered text in colour, as rust-analyzer hands it to a client
    that advertises `colorDiagnosticOutput` (VS Code's rust-analyzer extension does)."""
    return run_cargo_check(message_format="json-diagnostic-rendered-ansi")
