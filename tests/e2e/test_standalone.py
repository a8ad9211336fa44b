"""End-to-end: `borrowlens --standalone` (its own `cargo check`, no rust-analyzer), driven
by pytest-lsp.

One editor session on a copy of a std-only fixture crate; the tests run in file order on one
worker: diagnostics after save, hover, explain, the quick fix applied (the crate compiles),
diagnostics cleared by the next save, shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from support.lsp_session import (
    apply_workspace_edit,
    borrowlens,
    cargo_errors,
    children,
    command_line,
    copy_fixture,
    end_client,
    enriched,
    plain,
    server_env,
    server_pid,
    start_client,
    wait_for_diagnostics,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-standalone"),
              pytest.mark.asyncio(loop_scope="module")]

CASE = "recursive-async/mutual"
FAMILY = "recursive-async"


@dataclass
class Editor:
    client: LanguageClient
    crate: Path
    file: Path

    @property
    def uri(self) -> str:
        return self.file.as_uri()



@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editor(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Editor]:
    crate = copy_fixture(CASE, tmp_path_factory.mktemp("standalone") / "crate")
    client = await start_client(borrowlens("--standalone"), server_env(), crate,
                                {"borrowlens": {"summaryInMessage": True}})
    try:
        file = crate / "src" / "lib.rs"
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=file.as_uri(), language_id="rust",
                                                 version=1, text=file.read_text())))
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri())))
        yield Editor(client, crate, file)
    finally:
        await end_client(client)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def published(editor: Editor) -> list[types.Diagnostic]:
    return list(await wait_for_diagnostics(editor.client, editor.uri,
                                           lambda ds: bool(enriched(ds))))


def _target(published: list[types.Diagnostic]) -> types.Diagnostic:
    ours = enriched(published)
    assert len(ours) == 1, ours
    return ours[0]


async def test_enriched_diagnostic_after_save(editor: Editor,
                                              published: list[types.Diagnostic]) -> None:
    # Standalone means no rust-analyzer anywhere below the server.
    assert not any("rust-analyzer" in " ".join(command_line(p))
                   for p in children(server_pid(editor.client)))
    target = _target(published)
    assert isinstance(target.data, dict)
    info = target.data["borrowlens"]
    assert info["family"] == FAMILY
    assert info["fixes"] == ["box-pin"]
    assert target.code == "E0733"
    assert target.source == "rustc"
    assert target.data["rendered"].startswith("error[E0733]: recursion in an async fn")
    head, _, tail = target.message.rpartition("\nborrowlens: ")
    assert head.startswith("recursion in an async fn requires boxing")
    assert tail == info["tldr"]
    hints = [d for d in published if d.severity == types.DiagnosticSeverity.Hint]
    assert hints
    assert not enriched(hints)


async def test_hover_shows_the_explanation(editor: Editor,
                                           published: list[types.Diagnostic]) -> None:
    target = _target(published)
    assert isinstance(target.data, dict)
    hover = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri),
        position=target.range.start))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith(f"**{target.data['borrowlens']['title']}** — ")
    assert "**Fix:**" in hover.contents.value
    # Away from the diagnostic there is nothing to say (no rust-analyzer to ask).
    outside = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri),
        position=types.Position(line=2, character=8)))
    assert outside is None


async def test_explain_command_returns_the_full_markdown(
        editor: Editor, published: list[types.Diagnostic]) -> None:
    target = _target(published)
    assert isinstance(target.data, dict)
    info = target.data["borrowlens"]
    text = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="borrowlens.explain", arguments=[editor.uri, plain(target.range.start)]))
    assert isinstance(text, str)
    assert text.startswith(f"**{info['title']}** — {info['tldr']}")
    for heading in ("### What the compiler is telling you", "### Why", "### The fix",
                    "### The general rule", "### Read more"):
        assert heading in text


async def test_quick_fix_compiles_and_the_next_save_clears_the_diagnostics(
        editor: Editor, published: list[types.Diagnostic],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    target = _target(published)
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri), range=target.range,
        context=types.CodeActionContext(diagnostics=[target])))
    assert actions and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction)
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.title.endswith("(borrowlens)")
    assert action.edit is not None
    edit: dict[str, Any] = plain(action.edit)
    assert [c["textDocument"] for c in edit["documentChanges"]] == [
        {"uri": editor.uri, "version": 1}]
    assert apply_workspace_edit(edit) == [editor.file]
    assert cargo_errors(editor.crate, tmp_path_factory.mktemp("standalone-check")) == []
    # The editor applies the edit and saves: the next check publishes an empty list.
    editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=editor.uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text=editor.file.read_text())]))
    del editor.client.diagnostics[editor.uri]  # only a publish after the save counts
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri)))
    cleared = await wait_for_diagnostics(editor.client, editor.uri, lambda ds: True)
    assert list(cleared) == []


async def test_shutdown_exits_zero(editor: Editor) -> None:
    client = editor.client
    assert client._server is not None
    await client.shutdown_session()
    assert client._server.returncode == 0
