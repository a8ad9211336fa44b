"""Set-up for end-to-end language server tests: the real rust-analyzer, the `borrowlens`
server command, fixture crates copied to a scratch directory, and the small pieces of editor
behaviour the tests need (initialize parameters, applying a workspace edit, process checks).

The tests must fail, not skip, when rust-analyzer is missing: `rust_analyzer()` takes
`$BORROWLENS_TEST_RUST_ANALYZER` (exported by scripts/test) or else runs
scripts/ensure-rust-analyzer.sh, and fails the test with its output when neither works.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient

from borrowlens.analyses.rust.sources import split_lines

from .fixtures import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
ENSURE_SCRIPT = ROOT / "scripts" / "ensure-rust-analyzer.sh"

# Safety nets only: a std-only crate is loaded and flychecked in seconds, but a loaded CI
# machine (two test workers, other cargo builds) can be much slower.
DIAGNOSTICS_TIMEOUT = 240.0
REQUEST_TIMEOUT = 120.0

# Settings the tests control themselves; an outer value must not leak into the server.
_SCRUBBED = ("BORROWLENS_RUST_ANALYZER", "BORROWLENS_PROXY_DEPTH", "BORROWLENS_TARGET_DIR",
             "BORROWLENS_STALL_TIMEOUT", "CARGO_TARGET_DIR", "RUST_ANALYZER_SERVER_PATH")


@cache
def _ensure() -> tuple[str | None, str]:
    proc = subprocess.run(["bash", str(ENSURE_SCRIPT)], capture_output=True, text=True,
                          check=False, timeout=3 * 3600)
    path = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return (path if proc.returncode == 0 and path else None), proc.stderr[-3000:]


def rust_analyzer() -> str:
    """The real rust-analyzer binary; fails the calling test when there is none."""
    given = os.environ.get("BORROWLENS_TEST_RUST_ANALYZER")
    if given:
        if not os.access(given, os.X_OK):
            pytest.fail(f"BORROWLENS_TEST_RUST_ANALYZER={given} is not an executable; the "
                        "end-to-end tests need a real rust-analyzer", pytrace=False)
        return given
    path, log = _ensure()
    if path is None or not os.access(path, os.X_OK):
        pytest.fail("no rust-analyzer for the end-to-end tests: BORROWLENS_TEST_RUST_ANALYZER "
                    f"is unset and {ENSURE_SCRIPT} failed:\n{log}", pytrace=False)
    return path


def borrowlens(*args: str) -> list[str]:
    """The `borrowlens` language server command (this checkout, this interpreter)."""
    return [sys.executable, "-m", "borrowlens.server.entry", *args]


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update({"NO_COLOR": "1", "CARGO_TERM_COLOR": "never"})
    env.update(extra)
    return env


_copies = itertools.count()


def copy_fixture(case: str, dest: Path) -> Path:
    """A fixture crate (std-only) as a crate of its own under `dest`, with a package name
    unique to this run: cargo's fingerprints ignore a crate's location."""
    shutil.copytree(FIXTURES / case, dest, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns("rustc.json", "expect.toml", "target"))
    manifest = dest / "Cargo.toml"
    name = f"e2e-{os.getpid()}-{next(_copies)}"
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{name}"', manifest.read_text(), count=1)
    manifest.write_text(text)
    # A workspace of its own: the copy must not be taken for a member of an enclosing one.
    if "[workspace]" not in text:
        manifest.write_text(text.rstrip("\n") + "\n\n[workspace]\n")
    return dest


def initialize_params(root: Path, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a plain editor sends: markdown hover, related information, quick-fix literals,
    versioned workspace edits; no progress (it only adds traffic)."""
    params: dict[str, Any] = {
        "processId": os.getpid(),
        "clientInfo": {"name": "e2e-editor"},
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"workspaceEdit": {"documentChanges": True},
                          "configuration": True},
            "textDocument": {
                "synchronization": {"didSave": True},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": True,
                                       "codeDescriptionSupport": True,
                                       "dataSupport": True},
                "codeAction": {"codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["", "quickfix", "refactor"]}},
                    "dataSupport": True},
            },
            "window": {"workDoneProgress": False},
        },
    }
    if options is not None:
        params["initializationOptions"] = dict(options)
    return params


def text_document_item(path: Path, version: int = 1) -> dict[str, Any]:
    return {"uri": path.as_uri(), "languageId": "rust", "version": version,
            "text": path.read_text(encoding="utf-8")}


# --- edits --------------------------------------------------------------------------------

def _offset(text: str, position: Mapping[str, int]) -> int:
    """A UTF-16 LSP position as an index into `text`."""
    lines = split_lines(text, keepends=True)
    line = position["line"]
    if line >= len(lines):
        return len(text)
    start = sum(len(x) for x in lines[:line])
    units = 0
    for index, char in enumerate(lines[line]):
        if units >= position["character"]:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(lines[line].rstrip("\r\n"))


def apply_text_edits(text: str, edits: Sequence[Mapping[str, Any]]) -> str:
    """LSP TextEdits (non-overlapping, all relative to the original text) applied."""
    spans = sorted(((_offset(text, e["range"]["start"]), _offset(text, e["range"]["end"]),
                     str(e["newText"])) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def apply_workspace_edit(edit: Mapping[str, Any]) -> list[Path]:
    """Writes a workspace edit (`documentChanges` or `changes`) to disk; the files written."""
    written = []
    if edit.get("documentChanges"):
        per_file = [(c["textDocument"]["uri"], c["edits"]) for c in edit["documentChanges"]]
    else:
        per_file = list((edit.get("changes") or {}).items())
    for uri, edits in per_file:
        assert uri.startswith("file://"), f"not a file URI: {uri}"
        path = Path(uri.removeprefix("file://"))
        path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), edits),
                        encoding="utf-8")
        written.append(path)
    return written


def cargo_errors(crate: Path, target_dir: Path) -> list[str]:
    """The rendered errors of `cargo check` (its own target directory: never waits for the
    language server's build lock)."""
    env = {**server_env(), "CARGO_TARGET_DIR": str(target_dir)}
    proc = subprocess.run(["cargo", "check", "--message-format=json", "--quiet", "--offline"],
                          cwd=crate, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    errors = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            obj = json.loads(line)
            if (obj.get("reason") == "compiler-message"
                    and obj["message"]["level"] == "error"):
                errors.append(str(obj["message"].get("rendered")))
    if proc.returncode != 0 and not errors:
        errors.append(f"cargo check failed: {proc.stderr[-2000:]}")
    return errors


# --- processes ----------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after it.
    return raw[raw.rindex(")") + 2:].split()


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes in the process group `pgid` (rust-analyzer runs in a group of its own;
    its cargo and proc-macro children stay in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


# --- pytest-lsp's typed client ------------------------------------------------------------

CONVERTER = default_converter()  # type: ignore[no-untyped-call]


async def start_client(command: Sequence[str], env: Mapping[str, str], root: Path,
                       options: Mapping[str, Any] | None = None) -> LanguageClient:
    """A pytest-lsp client connected to the server, past `initialize`/`initialized`."""
    config = ClientServerConfig(server_command=list(command), server_env=dict(env))
    client = await config.start()
    assert isinstance(client, LanguageClient)
    params = CONVERTER.structure(initialize_params(root, options), types.InitializeParams)
    await asyncio.wait_for(client.initialize_session(params), REQUEST_TIMEOUT)
    return client


def server_pid(client: LanguageClient) -> int:
    assert client._server is not None
    return client._server.pid


async def end_client(client: LanguageClient, leftovers: Sequence[int] = ()) -> None:
    """Teardown: a clean shutdown if the server still runs, else (or if that fails) a kill
    of the server and of `leftovers` (processes the test knows it started through it)."""
    process = client._server
    if process is not None and process.returncode is None:
        try:
            await asyncio.wait_for(client.shutdown_session(), 30)
        except Exception:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    for pid in leftovers:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    await asyncio.wait_for(client.stop(), 30)  # type: ignore[no-untyped-call]


async def wait_for_diagnostics(
        client: LanguageClient, uri: str,
        predicate: Callable[[Sequence[types.Diagnostic]], bool],
        timeout: float = DIAGNOSTICS_TIMEOUT) -> Sequence[types.Diagnostic]:
    """The file's latest published diagnostics once they satisfy the predicate."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        current = client.diagnostics.get(uri)
        if current is not None and predicate(current):
            return current
        process = client._server
        if process is not None and process.returncode is not None:
            raise AssertionError(f"the server exited ({process.returncode}) while the test "
                                 f"waited for diagnostics of {uri}")
        if loop.time() > deadline:
            raise AssertionError(f"no matching diagnostics for {uri} within {timeout} s; "
                                 f"last published: {current!r}")
        await asyncio.sleep(0.1)


def plain(value: Any) -> Any:
    """An lsprotocol object as JSON-shaped dicts."""
    return CONVERTER.unstructure(value)


async def wait_for_processes(condition: Callable[[], bool], timeout: float) -> None:
    """Polls a condition on processes (exits are not awaitable from here)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"process condition not met within {timeout} s")
        await asyncio.sleep(0.1)


def enriched(diagnostics: Sequence[types.Diagnostic]) -> list[types.Diagnostic]:
    """The diagnostics borrowlens recognised (they carry `data.borrowlens`)."""
    return [d for d in diagnostics if isinstance(d.data, dict) and "borrowlens" in d.data]
