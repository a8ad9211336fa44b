"""Where a fix may write: one check (`gate.confinement`) shared by `borrowlens fix` and the
language server's quick fixes. Inside the workspace, never a dependency's file, only files
the diagnostic names — whatever a diagnostic's rendered text claims."""

from __future__ import annotations

import json
import posixpath
import shutil
from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.gate import confinement
from borrowlens.cli import fix_rounds
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from support.fixcheck import case_fixes
from support.fixtures import FIXTURES, Case, cases, target
from support.lsp_shape import published_diagnostics

FIX_CASES = [c for c in cases() if (c.expect.get("fixes") or {}).get("offered")]
REGISTRY = ".cargo/registry/src/index.crates.io-1949cf8c6b5b557f/evil-0.1.0/src/lib.rs"


def _in_fixtures(file: str) -> str:
    return posixpath.normpath(posixpath.join(str(FIXTURES), file))


@pytest.mark.parametrize("case", FIX_CASES, ids=lambda c: c.id)
def test_every_fixture_fix_stays_where_it_may(case: Case) -> None:
    """No real fix is refused: as rustc names files (relative) and as rust-analyzer does."""
    for diagnostics in (case.recorded(), published_diagnostics(case)):
        diagnostic = target(case, diagnostics)
        match = classify(diagnostic, case.sources())
        located = [item.span.file for item in match.related] if match else []
        for fix in case_fixes(case, diagnostics):
            assert confinement(fix, diagnostic, [str(FIXTURES)], _in_fixtures,
                               located=located) is None, fix.id


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().split("\n") if line.strip()]


def _session_cache(root: Path, *, hostile: bool = True) -> tuple[Path, Path, dict[str, Any]]:
    """The send-rc-across-await/session-cache crate copied to ROOT/ws, a copy of its source
    as a crates.io dependency's under ROOT/home, and its error; `hostile`: the note that says
    where the `Rc` lives (spans and rendered `-->`) points into that dependency instead."""
    workspace = root / "ws"
    shutil.copytree(FIXTURES / "send-rc-across-await/session-cache", workspace)
    dependency = root / "home" / REGISTRY
    dependency.parent.mkdir(parents=True)
    shutil.copy(workspace / "src/lib.rs", dependency)
    raw = next(m["message"] for m in map(json.loads, _lines(workspace / "rustc.json"))
               if m["message"]["level"] == "error")
    message = json.loads(json.dumps(raw).replace("send-rc-across-await/session-cache/", ""))
    if hostile:
        for child in message["children"]:
            for span in child["spans"]:
                if span["file_name"] == "src/lib.rs":
                    span["file_name"] = str(dependency)
        message["rendered"] = message["rendered"].replace("--> src/lib.rs:19:41",
                                                          f"--> {dependency}:19:41")
    return workspace, dependency, message


def _quick_fixes(workspace: Path, message: dict[str, Any],
                 initialize: dict[str, Any]) -> list[dict[str, Any]]:
    pairs = to_lsp(message, workspace)
    uri, first = pairs[0]
    session = Session()
    session.set_workspace(initialize)
    assert session.enrich({"uri": uri, "diagnostics": [d for u, d in pairs if u == uri]})
    return session.code_actions(uri, first["range"])


def test_a_quick_fix_never_edits_a_dependency_the_rendered_text_points_at(
        tmp_path: Path) -> None:
    workspace, dependency, message = _session_cache(tmp_path)
    actions = _quick_fixes(workspace, message, {"rootUri": workspace.as_uri()})
    edited = [change["textDocument"]["uri"] for action in actions
              for change in action["edit"]["documentChanges"]]
    assert dependency.as_uri() not in edited
    # The same error as rustc reports it: the fix is offered (the check is not over-eager).
    workspace, _, message = _session_cache(tmp_path / "honest", hostile=False)
    folders = {"workspaceFolders": [{"uri": workspace.as_uri(), "name": "ws"}]}
    actions = _quick_fixes(workspace, message, folders)
    assert [change["textDocument"]["uri"] for action in actions
            for change in action["edit"]["documentChanges"]] == [
        (workspace / "src/lib.rs").as_uri()]


def test_fix_refuses_a_dependency_inside_the_workspace(tmp_path: Path) -> None:
    """A CARGO_HOME kept inside the project (CI caches do this) is still a dependency."""
    workspace, _, message = _session_cache(tmp_path)
    vendored = workspace / REGISTRY
    vendored.parent.mkdir(parents=True)
    shutil.copy(workspace / "src/lib.rs", vendored)
    text = json.dumps(message).replace(str(tmp_path / "home" / REGISTRY), REGISTRY)
    diagnostic = from_rustc(json.loads(text))
    target_ = fix_rounds.Target(manifest=workspace / "Cargo.toml", root=workspace,
                                boundary=workspace)
    report = fix_rounds.Report()
    assert fix_rounds._plan([diagnostic], target_, set(), report) == []
    assert [why for _, why in report.refused] == [f"{REGISTRY} belongs to a dependency"]


def _diagnostic(files: list[str]) -> Any:
    spans = [{"file_name": f, "line_start": 1, "line_end": 1, "column_start": 1,
              "column_end": 2, "is_primary": i == 0} for i, f in enumerate(files)]
    return from_rustc({"level": "error", "message": "m", "spans": spans, "children": [],
                       "rendered": f"error: m\n  --> {files[0]}:1:1\n"})


def _edit(file: str) -> Fix:
    return Fix("t", True, (TextEdit(file, 1, 1, 1, 1, "x"),), id="t")


def test_the_reasons() -> None:
    def resolve(file: str) -> str:
        return posixpath.normpath(posixpath.join("/ws", file))

    diagnostic = _diagnostic(["src/lib.rs", "/elsewhere/lib.rs"])
    assert confinement(_edit("src/lib.rs"), diagnostic, ["/ws"], resolve) is None
    assert confinement(_edit("src/other.rs"), diagnostic, ["/ws"], resolve) == \
        "src/other.rs is not a file the error names"
    assert confinement(_edit("/elsewhere/lib.rs"), diagnostic, ["/ws"], resolve) == \
        "/elsewhere/lib.rs is outside the workspace"
    # No workspace known (an editor that sent no root): the other two checks still hold.
    assert confinement(_edit("/elsewhere/lib.rs"), diagnostic, [], resolve) is None
    assert confinement(_edit("src/../../etc/passwd"), _diagnostic(["src/../../etc/passwd"]),
                       ["/ws"], resolve) == "src/../../etc/passwd is outside the workspace"
    # A file the diagnosis located the cause in (a signature in another module) may be edited.
    assert confinement(_edit("src/other.rs"), diagnostic, ["/ws"], resolve,
                       located=["src/other.rs"]) is None
    registry = f"/home/u/{REGISTRY}"
    assert confinement(_edit(registry), _diagnostic(["src/lib.rs", registry]), [],
                       resolve) == f"{registry} belongs to a dependency"
