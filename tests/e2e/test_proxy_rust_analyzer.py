"""End-to-end: borrowlens as a proxy in front of the real rust-analyzer, driven by pytest-lsp.

One editor session per module (a copy of a std-only fixture crate; rust-analyzer's flycheck
runs the real `cargo check` on save). The tests run in file order on one worker: diagnostics,
hover, the explain command, then the quick fix (which edits the crate), then shutdown.
Fails, never skips, when rust-analyzer is missing (see `support.lsp_session.rust_analyzer`).
"""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from support.fixtures import FIXTURES
from support.lsp_session import (
    REQUEST_TIMEOUT,
    alive,
    apply_workspace_edit,
    borrowlens,
    cargo_errors,
    children,
    command_line,
    copy_fixture,
    end_client,
    enriched,
    group_members,
    plain,
    rust_analyzer,
    server_env,
    server_pid,
    start_client,
    wait_for_diagnostics,
    wait_for_processes,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-proxy-typed"),
              pytest.mark.asyncio(loop_scope="module")]

CASE = "recursive-async/mutual"
FAMILY = "recursive-async"


@dataclass
class Editor:
    """The session shared by this module's tests."""

    client: LanguageClient
    crate: Path
    file: Path
    rust_analyzer_pid: int
    version: int = 1

    def write(self, text: str) -> None:
        """The file changed in the editor and saved (rust-analyzer's flycheck runs)."""
        self.file.write_text(text)
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri,
                                                                version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri)))

    @property
    def uri(self) -> str:
        return self.file.as_uri()



@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editor(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Editor]:
    ra = rust_analyzer()
    crate = copy_fixture(CASE, tmp_path_factory.mktemp("proxy") / "crate")
    # The rust-analyzer comes from the environment here (the flag is used in the other
    # proxy module), as an editor extension would set it.
    client = await start_client(borrowlens(), server_env(BORROWLENS_RUST_ANALYZER=ra), crate,
                                {"borrowlens": {"summaryInMessage": True}})
    kids = [p for p in children(server_pid(client)) if command_line(p)[:1] == [ra]]
    try:
        assert len(kids) == 1, f"expected one rust-analyzer child, found {kids}"
        file = crate / "src" / "lib.rs"
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=file.as_uri(), language_id="rust",
                                                 version=1, text=file.read_text())))
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri())))
        yield Editor(client, crate, file, kids[0])
    finally:
        await end_client(client, kids)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def published(editor: Editor) -> list[types.Diagnostic]:
    """The publish that carries borrowlens' diagnostic (flycheck after the save)."""
    return list(await wait_for_diagnostics(editor.client, editor.uri,
                                           lambda ds: bool(enriched(ds))))


def _target(published: list[types.Diagnostic]) -> types.Diagnostic:
    ours = enriched(published)
    assert len(ours) == 1, ours
    return ours[0]


async def test_enriched_diagnostic_after_save(published: list[types.Diagnostic]) -> None:
    target = _target(published)
    assert isinstance(target.data, dict)
    info = target.data["borrowlens"]
    assert info["family"] == FAMILY
    assert info["fixes"] == ["box-pin"]
    # rust-analyzer's own fields survive: the rustc code and the rendered message.
    assert target.code == "E0733"
    assert target.source == "rustc"
    assert target.data["rendered"].startswith("error[E0733]: recursion in an async fn")
    # The one-line summary follows rust-analyzer's message.
    head, _, tail = target.message.rpartition("\nborrowlens: ")
    assert head.startswith("recursion in an async fn requires boxing")
    assert tail == info["tldr"]
    # Hint copies rust-analyzer makes of the related spans are left as they came.
    hints = [d for d in published if d.severity == types.DiagnosticSeverity.Hint]
    assert hints, "rust-analyzer published no hint copies"
    for hint in hints:
        assert not (isinstance(hint.data, dict) and "borrowlens" in hint.data)
        assert "borrowlens" not in hint.message
        assert [r.message for r in hint.related_information or []] == ["original diagnostic"]


async def test_hover_puts_the_explanation_first(editor: Editor,
                                                published: list[types.Diagnostic]) -> None:
    target = _target(published)
    assert isinstance(target.data, dict)
    title = target.data["borrowlens"]["title"]
    # On the function's name: inside the diagnostic, and rust-analyzer has a hover there.
    line = editor.file.read_text().splitlines()[target.range.start.line]
    position = types.Position(line=target.range.start.line, character=line.index("is_even"))
    hover = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri), position=position))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    ours, separator, theirs = hover.contents.value.partition("\n\n---\n\n")
    assert separator
    assert ours.startswith(f"**{title}** — ")
    # rust-analyzer's hover of the function follows.
    assert "pub async fn is_even(n: u32) -> bool" in theirs


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
                    "### The general rule"):
        assert heading in text
    assert "### Read more" in text and "Box::pin" in text


# rust-analyzer publishes absolute paths even for the crate's own files: the explanation must
# still find the call into the other function (it once took only relative paths for its own).
async def test_explanation_names_the_mutual_recursion(
        published: list[types.Diagnostic]) -> None:
    target = _target(published)
    assert isinstance(target.data, dict)
    expect = tomllib.loads((FIXTURES / CASE / "expect.toml").read_text())
    assert "`is_even` calls `is_odd` on line 5" in expect["explanation"]["mentions"]
    # The TL;DR names both functions of the cycle and the call's line, as the full text does.
    tldr = target.data["borrowlens"]["tldr"]
    assert "`is_even`" in tldr and "`is_odd` on line 5" in tldr, tldr


async def test_configuration_change_switches_hover_to_the_full_explanation(
        editor: Editor, published: list[types.Diagnostic]) -> None:
    target = _target(published)
    hover_params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri),
        position=target.range.start)
    short = await editor.client.text_document_hover_async(hover_params)
    assert short is not None and isinstance(short.contents, types.MarkupContent)
    assert "### Why" not in short.contents.value
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"borrowlens": {"explanation": "full"}}))
    try:
        full = await editor.client.text_document_hover_async(hover_params)
        assert full is not None and isinstance(full.contents, types.MarkupContent)
        assert "### What the compiler is telling you" in full.contents.value
        assert "### Why" in full.contents.value
    finally:
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"borrowlens": {"explanation": "short"}}))


async def test_an_edit_above_moves_what_borrowlens_published(
        editor: Editor, published: list[types.Diagnostic]) -> None:
    """rust-analyzer's flycheck after an edit above the error publishes it two lines down,
    with rustc's rendered text renumbered: borrowlens' data moves with it (server/moved.py
    carries a recognition over, or classifies it afresh when the edit touches it)."""
    target = _target(published)
    assert isinstance(target.data, dict)
    before = target.data["borrowlens"]
    original = editor.file.read_text()
    editor.write("// two lines inserted\n// above everything\n" + original)
    try:
        moved = _target(list(await wait_for_diagnostics(
            editor.client, editor.uri, lambda ds: any(
                d.range.start.line == target.range.start.line + 2 for d in enriched(ds)))))
        assert isinstance(moved.data, dict)
        after = moved.data["borrowlens"]
        assert (after["family"], after["fixes"], after["title"]) == (
            before["family"], before["fixes"], before["title"])
        assert "`is_odd` on line 5" in before["tldr"]
        assert after["tldr"] == before["tldr"].replace("on line 5", "on line 7")
        assert [(m["label"], m["range"]["start"]["line"] - 2, m["text"])
                for m in after["markers"]] == [
            (m["label"], m["range"]["start"]["line"], m["text"]) for m in before["markers"]]
        actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri), range=moved.range,
            context=types.CodeActionContext(diagnostics=[moved])))
        ours = [plain(a) for a in actions or [] if isinstance(a, types.CodeAction)
                and a.title.endswith("(borrowlens)")]
        assert len(ours) == 1, ours
        change = ours[0]["edit"]["documentChanges"][0]
        assert change["textDocument"] == {"uri": editor.uri, "version": editor.version}
        lines = editor.file.read_text().split("\n")
        for edit in change["edits"]:  # the fix rewrites the moved code, not what is there now
            assert "is_odd(n - 1)" in lines[edit["range"]["start"]["line"]]
    finally:
        editor.write(original)
        await wait_for_diagnostics(editor.client, editor.uri, lambda ds: any(
            d.range == target.range for d in enriched(ds)))


async def test_quick_fix_applied_makes_cargo_check_pass(
        editor: Editor, published: list[types.Diagnostic],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    target = _target(published)
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri), range=target.range,
        context=types.CodeActionContext(diagnostics=[target])))
    assert actions
    ours = [a for a in actions if isinstance(a, types.CodeAction)
            and a.title.endswith("(borrowlens)")]
    assert len(ours) == 1, [a.title for a in actions]
    action = ours[0]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.is_preferred
    assert isinstance(action.data, dict)
    assert action.data["borrowlens"] == {"family": FAMILY, "fix": "box-pin"}
    assert action.edit is not None
    edit: dict[str, Any] = plain(action.edit)
    assert [c["textDocument"] for c in edit["documentChanges"]] == [
        {"uri": editor.uri, "version": editor.version}]
    check_target = tmp_path_factory.mktemp("proxy-check")
    assert cargo_errors(editor.crate, check_target), "the copy should not compile before"
    assert apply_workspace_edit(edit) == [editor.file]
    assert "Box::pin(is_odd(n - 1)).await" in editor.file.read_text()
    assert cargo_errors(editor.crate, check_target) == []
    # Told about the edit, rust-analyzer's next flycheck clears the error.
    editor.write(editor.file.read_text())
    await wait_for_diagnostics(editor.client, editor.uri, lambda ds: not any(
        d.severity == types.DiagnosticSeverity.Error for d in ds))


async def test_shutdown_exits_zero_and_leaves_no_rust_analyzer(editor: Editor) -> None:
    client = editor.client
    assert client._server is not None
    assert alive(editor.rust_analyzer_pid)
    await client.shutdown_session()
    assert client._server.returncode == 0
    # The proxy reaps its child before it exits.
    assert not alive(editor.rust_analyzer_pid)
    # rust-analyzer's own children (cargo, the proc-macro server) live in its process group;
    # they end when their pipes close, possibly a moment after it.
    await wait_for_processes(lambda: not group_members(editor.rust_analyzer_pid),
                             timeout=REQUEST_TIMEOUT)
