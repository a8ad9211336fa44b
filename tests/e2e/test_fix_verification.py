"""End-to-end: fixes proven in the editor. borrowlens as a proxy in front of the real
rust-analyzer, and standalone, each with a deliberately broken fix injected next to the real
one (tests/support/faulty_server.py): after diagnostics are published and the editor is idle,
the background check titles the real fix "— compiles" and keeps it preferred, and withdraws
the broken one.

One session per test on a copy of a std-only fixture crate, with a private BORROWLENS_CACHE
(the shadow copies and their build directory). Fails, never skips, when rust-analyzer is
missing (see `support.lsp_session.rust_analyzer`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from support.lsp_session import (
    DIAGNOSTICS_TIMEOUT,
    ROOT,
    copy_fixture,
    end_client,
    enriched,
    rust_analyzer,
    server_env,
    start_client,
    wait_for_diagnostics,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-verify"), pytest.mark.asyncio]

CASE = "recursive-async/mutual"
FAULTY = [sys.executable, str(ROOT / "tests" / "support" / "faulty_server.py")]


def _ours(actions: list[types.CodeAction | types.Command] | None) -> list[types.CodeAction]:
    return [a for a in actions or () if isinstance(a, types.CodeAction)
            and a.title.endswith("(borrowlens)")]


@pytest.mark.parametrize("mode", ["proxy", "standalone"])
async def test_the_real_fix_is_proven_and_the_broken_one_withdrawn(
        mode: str, tmp_path: Path) -> None:
    crate = copy_fixture(CASE, tmp_path / "crate")
    env = server_env(BORROWLENS_CACHE=str(tmp_path / "cache"))
    if mode == "proxy":
        command, env["BORROWLENS_RUST_ANALYZER"] = FAULTY, rust_analyzer()
    else:
        command = [*FAULTY, "--standalone"]
    client = await start_client(command, env, crate)
    try:
        file = crate / "src" / "lib.rs"
        uri = file.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="rust", version=1,
                                                 text=file.read_text())))
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        published = await wait_for_diagnostics(client, uri, lambda ds: bool(enriched(ds)))
        (target,) = enriched(published)
        # The injected fix is offered with the real one until its check withdraws it.
        assert isinstance(target.data, dict)
        assert target.data["borrowlens"]["fixes"] == ["box-pin", "broken"]
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=target.range,
            context=types.CodeActionContext(diagnostics=[target]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DIAGNOSTICS_TIMEOUT
        while True:
            ours = _ours(await client.text_document_code_action_async(params))
            titles = [a.title for a in ours]
            if any("— compiles" in t for t in titles) and len(ours) == 1:
                break
            assert loop.time() < deadline, f"fixes not verified in time: {titles}"
            await asyncio.sleep(1.0)
        (action,) = ours
        assert isinstance(action.data, dict)
        assert action.data["borrowlens"]["fix"] == "box-pin"
        assert action.title.endswith(" — compiles (borrowlens)")
        assert action.is_preferred
        # Nothing of the checks reached the crate itself.
        assert "borrowlens_broken" not in file.read_text()
    finally:
        await end_client(client)
