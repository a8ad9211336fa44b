"""Standalone mode: a pygls language server that runs `cargo check` itself.

Used when no working rust-analyzer is found, or with `--standalone`. On open and save it runs
one `cargo check --message-format=json` at a time for the workspace of the file (debounced;
a newer request kills the running check's whole process group), in its own target directory
(`target/borrowlens`) so it never fights rust-analyzer or the user's builds over cargo's lock.
Results are published per file in the shape rust-analyzer uses (`rustc_lsp.to_lsp`), files
that no longer have diagnostics are cleared, and hover, quick fixes and `borrowlens.explain`
are served by the same `Session` as the proxy. stdio is read by `lsp_stdio` (borrowlens'
framing in front of pygls' protocol), not by pygls' own reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter

from . import __version__, cargo, lsp_stdio
from .documents import uri_to_path
from .protocol import EXPLAIN_COMMAND, SETTINGS_SECTION, JsonDict
from .rustc_lsp import to_lsp
from .session import Session
from .signals import serve_until_signalled
from .wire import claim_stdout

log = logging.getLogger("borrowlens")
CONVERTER = default_converter()  # type: ignore[no-untyped-call]
DEBOUNCE_SECONDS = 0.3


def _plain(value: Any) -> Any:
    """An lsprotocol object as the plain dict the shared session code works on."""
    return CONVERTER.unstructure(value)


class Checker:
    """Runs `cargo check` for one workspace root at a time and publishes the results."""

    def __init__(self, server: LanguageServer, session: Session) -> None:
        self.server = server
        self.session = session
        self.running: cargo.Background | None = None
        self.pending: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None
        self.published: dict[Path, set[str]] = {}
        self.roots: dict[Path, Path] = {}

    def root_of(self, uri: str) -> Path | None:
        """The cargo workspace root of a file (cached per directory)."""
        directory = Path(uri_to_path(uri)).parent
        if directory in self.roots:
            return self.roots[directory]
        manifest = cargo.find_manifest(directory)
        if manifest is None:
            return None
        root = manifest.parent
        program = cargo.find_cargo()
        if program is not None:
            # A member of a workspace is checked (and its paths reported) from the root.
            with contextlib.suppress(cargo.CargoError):
                root = cargo.locate_workspace(manifest, program).root
        self.roots[directory] = root
        return root

    def schedule(self, uri: str) -> None:
        root = self.root_of(uri)
        if root is None:
            log.info("no Cargo.toml above %s; nothing to check", uri)
            return
        loop = asyncio.get_running_loop()
        if self.pending is not None:
            self.pending.cancel()
        self.pending = loop.call_later(DEBOUNCE_SECONDS,
                                       lambda: loop.create_task(self._restart(root)))

    async def _restart(self, root: Path) -> None:
        await self.cancel()
        self.task = asyncio.current_task()
        await self._check(root)

    async def cancel(self) -> None:
        """Kills the running check's process group (cargo, rustc, build scripts)."""
        if self.running is not None:
            await self.running.kill()
        task = self.task
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def stop(self) -> None:
        """No check running or to come: the session is over."""
        if self.pending is not None:
            self.pending.cancel()
        await self.cancel()

    async def _check(self, root: Path) -> None:
        program = cargo.find_cargo()
        if program is None:
            self.server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message="borrowlens: cargo was not found on PATH; cannot check the crate"))
            return
        target_dir = Path(os.environ.get("BORROWLENS_TARGET_DIR")
                          or root / "target" / "borrowlens")
        self.running = cargo.Background(cargo.Check(
            program, cwd=root, workspace=True, keep_going=True, target_dir=target_dir,
            root=root))
        finished = await self.running.run()
        if finished is None:
            return  # killed: a newer check replaces this one
        published: dict[str, list[JsonDict]] = {}
        for message in finished.messages:
            for uri, diagnostic in to_lsp(message, root, self._range_of(root)):
                published.setdefault(uri, []).append(diagnostic)
        self._publish(root, published)
        errors = sum(1 for batch in published.values() for d in batch
                     if d.get("severity") == 1)
        if finished.returncode and not published:
            self.server.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error,
                message="borrowlens: cargo check failed: "
                        + " | ".join(finished.stderr_tail(3))))
        self.server.window_log_message(types.LogMessageParams(
            type=types.MessageType.Info,
            message=f"borrowlens: cargo check finished in {root}: {errors} error(s)"))

    def _range_of(self, root: Path) -> Any:
        def to_range(span: dict[str, Any]) -> dict[str, Any]:
            path = span["file_name"]
            absolute = path if Path(path).is_absolute() else str(root / path)
            # The session counts columns in the negotiated encoding from the current text.
            return self.session.lsp_range(absolute, span["line_start"], span["column_start"],
                                          span["line_end"], span["column_end"])
        return to_range

    def _publish(self, root: Path, published: dict[str, list[JsonDict]]) -> None:
        previous = self.published.get(root, set())
        for uri in previous - published.keys():
            self._send(uri, [])
        for uri, diagnostics in published.items():
            self._send(uri, diagnostics)
        self.published[root] = set(published)

    def _send(self, uri: str, diagnostics: list[JsonDict]) -> None:
        params: JsonDict = {"uri": uri, "diagnostics": diagnostics}
        enriched = self.session.enrich(params)
        self.server.text_document_publish_diagnostics(
            CONVERTER.structure(enriched or params, types.PublishDiagnosticsParams))


def build_server() -> tuple[LanguageServer, Checker]:
    server = LanguageServer("borrowlens", __version__,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = Session()
    checker = Checker(server, session)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict):
            session.configure(options.get(SETTINGS_SECTION))
        session.set_workspace(_plain(params))

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        encoding = server.server_capabilities.position_encoding
        session.encoding = str(getattr(encoding, "value", encoding) or "utf-16")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.open(_plain(params))
        checker.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.change(_plain(params))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        checker.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.close(_plain(params))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict):
            session.configure(settings.get(SETTINGS_SECTION))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        found = session.hover_markdown(params.text_document.uri, _plain(params.position))
        if found is None:
            return None
        text, rng = found
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=CONVERTER.structure(rng, types.Range))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=True))
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        actions = session.code_actions(params.text_document.uri, _plain(params.range))
        return [CONVERTER.structure(a, types.CodeAction) for a in actions] or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    def resolve(params: types.CodeAction) -> types.CodeAction:
        return params  # borrowlens' actions carry their edit already

    @server.command(EXPLAIN_COMMAND)
    def explain(*arguments: Any) -> str:
        return session.explain([_plain(a) for a in arguments])

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        await checker.cancel()

    return server, checker


async def _serve(server: LanguageServer, checker: Checker, stdout: BinaryIO) -> int:
    try:
        # Not pygls' start_io: its reader does not survive one bad header (lsp_stdio.py).
        return await lsp_stdio.serve(server, sys.stdin.buffer, stdout)
    finally:
        # However the session ends (exit with or without shutdown, stdin closed, a signal),
        # the running check's process group goes with it.
        await checker.stop()


def serve() -> int:
    """Serves on stdio until the editor sends exit; the exit status."""
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("pygls").setLevel(logging.WARNING)
    server, checker = build_server()
    try:
        return asyncio.run(serve_until_signalled(_serve(server, checker, claim_stdout())))
    except KeyboardInterrupt:
        return 130
