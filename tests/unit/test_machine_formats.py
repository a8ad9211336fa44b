"""The machine formats of `borrowlens check` without cargo: GitHub's escaping and positions,
where paths are relative to, and SARIF logs of every fixture's recorded diagnostics checked
against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.registry import all_families
from borrowlens.cli import github, sarif
from borrowlens.cli.check_output import see
from borrowlens.cli.reporting import Context, Tally, relative_path, report_root
from borrowlens.cli.terminal import CliError
from borrowlens.server.cargo import Workspace
from borrowlens.server.disk import DiskSources
from support import sarif as schema
from support.fixtures import FIXTURES, cases


def context(workspace_root: Path, root: Path | None = None) -> Context:
    workspace = Workspace(manifest=workspace_root / "Cargo.toml", root=workspace_root)
    return Context(argparse.Namespace(docs_base=None), workspace,
                   DiskSources(workspace_root), False, root or workspace_root.resolve())


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


def test_sarif_logs_of_every_fixture_are_valid() -> None:
    """All recorded diagnostics of the fixtures, recognised or not, with their related places
    and fixes, in one log (paths are relative to tests/fixtures, as recorded)."""
    ctx = context(FIXTURES)
    log = sarif.SarifLog(ctx)
    tally = Tally()
    for case in cases():
        for raw in case.recorded_raw():
            seen = see(raw, ctx.sources, tally)
            if seen is not None:
                log.show(seen)
    written = log.log()
    assert not schema.problems(written), "\n".join(schema.problems(written)[:20])
    results = written["runs"][0]["results"]
    rules = written["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules[:len(all_families())]] == [f.id for f in all_families()]
    assert {r["ruleId"] for r in results} >= {f.id for f in all_families()}
    assert any("fixes" in r for r in results) and any("relatedLocations" in r for r in results)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_sarif_rule_names_and_levels() -> None:
    assert sarif.rule_name("send-rc-across-await") == "SendRcAcrossAwait"
    assert sarif.rule_name("unused_variables") == "UnusedVariables"
    assert sarif.sarif_level("error: internal compiler error") == "error"
    assert sarif.sarif_level("help") == "note"


def test_sarif_docs_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sarif.DOCS_BASE_ENV, raising=False)
    assert sarif.docs_base(None) is None
    assert sarif.docs_base("https://h.example/r/blob/main") == "https://h.example/r/blob/main/"
    monkeypatch.setenv(sarif.DOCS_BASE_ENV, "file:///srv/borrowlens/")
    assert sarif.docs_base(None) == "file:///srv/borrowlens/"
    with pytest.raises(CliError):
        sarif.docs_base("docs/")
