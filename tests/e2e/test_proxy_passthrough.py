"""End-to-end: what the proxy does not own reaches the editor exactly as rust-analyzer sent it.

The same scripted editor session (same crate, same messages, same request ids) runs twice in
this module: once against rust-analyzer directly and once through `borrowlens
--rust-analyzer …`. A raw JSON-RPC client (`support.lsp_raw`) keeps every frame as read, so
responses the proxy must not touch (`rust-analyzer/*` requests, a range hover and a hover
away from any diagnostic) are compared byte for byte, and the published diagnostics field by field:
only `data.borrowlens` (and borrowlens' related locations) may be added. The proxy session
turns `summaryInMessage` off, so even the enriched diagnostic's message must be unchanged.
Fails, never skips, when rust-analyzer is missing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from support.lsp_raw import JsonDict, RawClient, Response, canonical
from support.lsp_session import (
    DIAGNOSTICS_TIMEOUT,
    REQUEST_TIMEOUT,
    borrowlens,
    copy_fixture,
    initialize_params,
    rust_analyzer,
    server_env,
    text_document_item,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-proxy-raw"),
              pytest.mark.asyncio(loop_scope="module")]

CASE = "recursive-async/mutual"
# rust-analyzer's own settings travel next to borrowlens' in initializationOptions; the proxy
# forwards them and drops only the `borrowlens` key. (A non-empty object also matters to
# rust-analyzer: its default snippets are only loaded then.)
RA_OPTIONS: JsonDict = {"checkOnSave": True, "cargo": {"buildScripts": {"enable": False}}}
BORROWLENS_OPTIONS: JsonDict = {"summaryInMessage": False}


@dataclass
class Run:
    """What one session saw."""

    initialize: Response
    published: JsonDict
    responses: dict[str, Response]
    status: int


def _requests(file: Path) -> list[tuple[str, str, Any]]:
    """(id, method, params) sent after the diagnostics arrived, in this order."""
    uri = file.as_uri()
    doc = {"uri": uri}
    lines = file.read_text().splitlines()
    # `is_even(n - 1)` in `is_odd`: no diagnostic covers it (rustc reports the cycle at the
    # call in `is_even`), so the range hover is rust-analyzer's alone.
    call_line = next(i for i, line in enumerate(lines) if "is_even(n - 1)" in line)
    call = lines[call_line].index("is_even")
    return [
        ("syntax-tree", "rust-analyzer/viewSyntaxTree", {"textDocument": doc}),
        # rust-analyzer's range hover: `position` is a range (the type of `is_even(n - 1)`).
        ("range-hover", "textDocument/hover", {
            "textDocument": doc,
            "position": {"start": {"line": call_line, "character": call},
                         "end": {"line": call_line, "character": call + len("is_even(n - 1)")}},
        }),
        # Range hovers over the error (rustc reports it on `is_even`'s signature): a
        # selection of the name and an empty range at it, as VS Code's rust-analyzer client
        # sends them. The proxy puts the explanation first.
        *[(ident, "textDocument/hover", {
            "textDocument": doc,
            "position": {"start": {"line": 0, "character": lines[0].index("is_even")},
                         "end": {"line": 0, "character": end}}})
          for ident, end in (("range-hover-error", lines[0].index("is_even") + len("is_even")),
                             ("empty-range-hover-error", lines[0].index("is_even")))],
        # An ordinary hover on a line no diagnostic covers (`n` in `if n == 0`).
        ("plain-hover", "textDocument/hover", {
            "textDocument": doc,
            "position": {"line": 1, "character": lines[1].index("n ==")},
        }),
        ("status", "rust-analyzer/analyzerStatus", {"textDocument": doc}),
        ("item-tree", "rust-analyzer/viewItemTree", {"textDocument": doc}),
    ]


def _rustc_publish(file: Path) -> Any:
    uri = file.as_uri()
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri
                      and any(d.get("source") == "rustc" for d in m["params"]["diagnostics"]))


async def _session(command: list[str], crate: Path, options: JsonDict) -> Run:
    client = RawClient(command, env=server_env())
    await client.start()
    try:
        file = crate / "src" / "lib.rs"
        initialize = await client.request("initialize", initialize_params(crate, options),
                                          ident="init", timeout=REQUEST_TIMEOUT)
        await client.notify("initialized", {})
        await client.notify("textDocument/didOpen", {"textDocument": text_document_item(file)})
        await client.notify("textDocument/didSave", {"textDocument": {"uri": file.as_uri()}})
        published = await client.wait_notification(_rustc_publish(file),
                                                    timeout=DIAGNOSTICS_TIMEOUT)
        responses = {}
        for ident, method, params in _requests(file):
            responses[ident] = await client.request(method, params, ident=ident,
                                                    timeout=REQUEST_TIMEOUT)
        status = await client.shutdown()
        return Run(initialize, published, responses, status)
    except BaseException:
        await client.kill()
        raise


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def runs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Run, Run]]:
    ra = rust_analyzer()
    crate = copy_fixture(CASE, tmp_path_factory.mktemp("passthrough") / "crate")
    # One after the other on the same copy: the second session finds the same files and the
    # same (warm) build; both see the same request sequence.
    direct = await _session([ra], crate, RA_OPTIONS)
    proxied = await _session(borrowlens("--rust-analyzer", ra), crate,
                             {**RA_OPTIONS, "borrowlens": BORROWLENS_OPTIONS})
    yield direct, proxied


@pytest.mark.parametrize("ident", ["syntax-tree", "range-hover", "plain-hover",
                                   "item-tree"])
async def test_response_is_rust_analyzers_bytes(runs: tuple[Run, Run], ident: str) -> None:
    direct, proxied = runs
    assert "error" not in direct.responses[ident].message
    assert proxied.responses[ident].frame.raw == direct.responses[ident].frame.raw


async def test_compared_responses_have_content(runs: tuple[Run, Run]) -> None:
    # Guards the byte comparison above against comparing two empty answers.
    hover = runs[1].responses["range-hover"].result
    assert "impl Future<Output = bool>" in hover["contents"]["value"]
    assert runs[1].responses["syntax-tree"].result.startswith('{"type":"Node","kind":')
    assert "is_odd" in runs[1].responses["item-tree"].result
    assert "n: u32" in runs[1].responses["plain-hover"].result["contents"]["value"]


@pytest.mark.parametrize("ident", ["range-hover-error", "empty-range-hover-error"])
async def test_range_hover_over_the_error_puts_the_explanation_first(
        runs: tuple[Run, Run], ident: str) -> None:
    direct, proxied = runs
    ours = proxied.responses[ident].result
    assert ours is not None and ours["contents"]["kind"] == "markdown"
    value = ours["contents"]["value"]
    diagnostics = proxied.published["params"]["diagnostics"]
    title = next(d["data"]["borrowlens"]["title"] for d in diagnostics
                 if "borrowlens" in (d.get("data") or {}))
    assert value.startswith(f"**{title}** — "), value
    theirs = direct.responses[ident].result
    if theirs is not None:  # rust-analyzer's own hover of the range follows, unchanged
        assert value.endswith("\n\n---\n\n" + theirs["contents"]["value"])


def _status_stable(text: str) -> str:
    """analyzerStatus without what legitimately differs between two sessions: memory and
    timing figures."""
    text = re.sub(r"\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib|ms|s|µs|ns)\b", "N", text,
                  flags=re.IGNORECASE)
    return text


async def test_analyzer_status_passes_through(runs: tuple[Run, Run]) -> None:
    direct, proxied = runs
    theirs = direct.responses["status"].result
    ours = proxied.responses["status"].result
    assert isinstance(theirs, str) and "Workspaces:" in theirs
    # The status shows rust-analyzer's configuration: the proxy forwarded RA_OPTIONS (and
    # nothing of borrowlens') exactly as a direct client sends them.
    assert "borrowlens" not in ours
    assert _status_stable(ours) == _status_stable(theirs)


async def test_initialize_result_gains_only_the_explain_command(
        runs: tuple[Run, Run]) -> None:
    direct, proxied = runs
    theirs = copy.deepcopy(direct.initialize.result)
    ours = copy.deepcopy(proxied.initialize.result)
    commands = ours["capabilities"]["executeCommandProvider"]["commands"]
    assert commands[-1] == "borrowlens.explain"
    commands.pop()
    if not commands and "executeCommandProvider" not in theirs["capabilities"]:
        del ours["capabilities"]["executeCommandProvider"]
    assert canonical(ours) == canonical(theirs)


def _without_borrowlens(diagnostic: JsonDict) -> JsonDict:
    out = copy.deepcopy(diagnostic)
    data = out.get("data")
    if isinstance(data, dict):
        data.pop("borrowlens", None)
    related = [r for r in out.get("relatedInformation") or ()
               if not r["message"].startswith("borrowlens: ")]
    if related:
        out["relatedInformation"] = related
    else:
        out.pop("relatedInformation", None)
    return out


async def test_published_diagnostics_only_gain_borrowlens_data(
        runs: tuple[Run, Run]) -> None:
    direct, proxied = runs
    theirs = direct.published["params"]["diagnostics"]
    ours = proxied.published["params"]["diagnostics"]
    enriched = [d for d in ours if "borrowlens" in (d.get("data") or {})]
    assert len(enriched) == 1
    assert enriched[0]["data"]["borrowlens"]["family"] == "recursive-async"
    # Same diagnostics, same order; with summaryInMessage off even the enriched message is
    # rust-analyzer's, and its code and rendered text are kept.
    assert [_without_borrowlens(d) for d in ours] == theirs
    assert enriched[0]["message"] == next(
        d["message"] for d in theirs if d["range"] == enriched[0]["range"]
        and d.get("severity") == 1)
    assert enriched[0]["code"] == "E0733"
    assert enriched[0]["data"]["rendered"].startswith("error[E0733]")


async def test_both_sessions_shut_down_cleanly(runs: tuple[Run, Run]) -> None:
    assert [run.status for run in runs] == [0, 0]
