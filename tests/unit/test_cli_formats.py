"""The machine formats of `borrowlens check` without cargo: GitHub's escaping and positions,
and where paths are relative to."""

from __future__ import annotations

import argparse
from pathlib import Path

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.cli import github
from borrowlens.cli.reporting import Context, relative_path, report_root
from borrowlens.server.cargo import Workspace
from borrowlens.server.disk import DiskSources


def context(workspace_root: Path, root: Path | None = None) -> Context:
    workspace = Workspace(manifest=workspace_root / "Cargo.toml", root=workspace_root)
    return Context(argparse.Namespace(), workspace, DiskSources(workspace_root), False,
                   root or workspace_root.resolve())


def test_github_escapes_data_and_properties() -> None:
    assert github.escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert github.escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    # `%` first: an escape already in the text is not taken for one.
    assert github.escape_data("%0A") == "%250A"


def test_github_command_shape() -> None:
    assert github.workflow_command("error", "it broke\nbadly",
                                   [("file", "src/a,b.rs"), ("line", 3), ("title", "T: x")]) \
        == "::error file=src/a%2Cb.rs,line=3,title=T%3A x::it broke%0Abadly"
    assert github.workflow_command("notice", "plain") == "::notice::plain"


def test_github_levels() -> None:
    assert github.command_kind("error") == "error"
    assert github.command_kind("error: internal compiler error") == "error"
    assert github.command_kind("warning") == "warning"
    assert github.command_kind("note") == "notice"


def test_github_columns_only_on_one_line(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    one = Span("src/lib.rs", 4, 9, 4, 14)
    assert github.place(one, ctx) == [("file", "src/lib.rs"), ("line", 4), ("col", 9),
                                      ("endLine", 4), ("endColumn", 13)]
    empty = Span("src/lib.rs", 4, 9, 4, 9)
    assert dict(github.place(empty, ctx))["endColumn"] == 9
    several = Span("src/lib.rs", 4, 9, 6, 2)
    assert github.place(several, ctx) == [("file", "src/lib.rs"), ("line", 4), ("endLine", 6)]


def test_paths_are_relative_to_the_checkout_that_holds_the_crate(tmp_path: Path) -> None:
    crate = tmp_path / "repo" / "rust"
    crate.mkdir(parents=True)
    checkout = {"GITHUB_WORKSPACE": str(tmp_path / "repo")}
    assert report_root(crate, checkout) == (tmp_path / "repo").resolve()
    assert report_root(crate, {"GITHUB_WORKSPACE": str(tmp_path / "elsewhere")}) == \
        crate.resolve()
    assert report_root(crate, {}) == crate.resolve()
    ctx = context(crate, report_root(crate, checkout))
    assert relative_path("src/main.rs", ctx) == "rust/src/main.rs"
    assert relative_path("/opt/registry/dep/src/lib.rs", ctx) is None
    assert github.place(Span("/opt/dep.rs", 1, 1, 1, 2), ctx)[0] == ("file", "/opt/dep.rs")
