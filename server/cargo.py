"""Running cargo: finding it, locating the workspace, and `cargo check` with its JSON read.

The one place borrowlens starts cargo; `borrowlens check`, `borrowlens fix` and the
standalone server all come here. cargo is `$CARGO` when set (as cargo's own subcommands and
build scripts honour it), else `cargo` on PATH. Every run has stdin from /dev/null (a check
never reads input; an inherited terminal or LSP pipe must not be read by it) and its own
process group (`start_new_session`), so that cancelling a check kills cargo together with the
rustc and build-script processes it started, and a Ctrl-C meant for borrowlens reaches cargo
only through borrowlens, which then kills the group.

cargo's JSON messages are one object per line on stdout; build scripts may print other lines
there too, and so may a dependency's proc macro, which runs inside rustc — JSON included.
`compiler_message` picks the rustc diagnostics out of them and believes only those of the
workspace's own packages (their `manifest_path` inside the workspace root, not a dependency's)
whose primary spans are in the workspace (or reach it through macro call sites), and that
are shaped as rustc's (`rustc_json.problem`); the others are skipped with a logged warning.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import TracebackType
from typing import TYPE_CHECKING

from borrowlens.analyses.diagnostics.model import in_dependency
from borrowlens.analyses.diagnostics.rustc_json import problem
from borrowlens.analyses.rust.sources import split_lines
from borrowlens.server.disk import canonical
from borrowlens.server.protocol import JsonDict
from borrowlens.server.signals import kill_group

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("borrowlens")


class CargoError(Exception):
    """cargo could not do what was asked; the message is cargo's own last line of complaint."""


def _lines(output: str) -> list[str]:
    """The non-blank lines of a tool's output."""
    return [x for x in split_lines(output) if x.strip()]


def find_program(name: str, env_var: str) -> str | None:
    """`$ENV_VAR` when set (a name on PATH or a path), else NAME on PATH; None if not found."""
    return shutil.which(os.environ.get(env_var) or name)


def find_cargo() -> str | None:
    return find_program("cargo", "CARGO")


def find_manifest(directory: Path) -> Path | None:
    """The nearest Cargo.toml in `directory` or above it (the package a file belongs to)."""
    return next((d / "Cargo.toml" for d in [directory, *directory.parents]
                 if (d / "Cargo.toml").is_file()), None)


@dataclass(frozen=True)
class Workspace:
    """A package's manifest and the root of its workspace, which rustc's paths are relative
    to (cargo runs rustc there)."""

    manifest: Path
    root: Path


def locate_workspace(manifest: Path, cargo: str) -> Workspace:
    """Asks cargo for the workspace MANIFEST belongs to; CargoError when cargo cannot read it."""
    # Absolute: a relative `-dir/Cargo.toml` would reach cargo as flags.
    proc = subprocess.run(
        [cargo, "locate-project", "--workspace", "--message-format", "plain",
         "--manifest-path", os.path.abspath(manifest)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    found = proc.stdout.strip()
    if proc.returncode != 0 or not found:
        detail = _lines(proc.stderr)
        raise CargoError(detail[-1] if detail else "unknown error")
    return Workspace(manifest=manifest.resolve(), root=Path(found).parent)


@dataclass(frozen=True)
class Check:
    """One `cargo check` with JSON messages: its command line, environment and directory."""

    cargo: str
    manifest: Path | None = None  # None: the package in `cwd`
    cwd: Path | None = None
    # rustc's `rendered` text coloured (json-diagnostic-rendered-ansi), cargo's own output too.
    color: bool = False
    keep_going: bool = False
    workspace: bool = False  # every member, not only the package of the manifest
    target_dir: Path | None = None  # None: cargo's choice (CARGO_TARGET_DIR, config, target/)
    extra_args: Sequence[str] = ()
    # The workspace root: only its packages' diagnostics are believed (None: the manifest's
    # directory, else `cwd`).
    root: Path | None = None

    def workspace_root(self) -> Path:
        if self.root is not None:
            return self.root
        if self.manifest is not None:
            return self.manifest.parent
        return self.cwd or Path.cwd()
    # Under `nice` (background checks that must not slow the editor), when `nice` exists.
    low_priority: bool = False

    def command(self) -> list[str]:
        fmt = "json-diagnostic-rendered-ansi" if self.color else "json"
        nice = shutil.which("nice") if self.low_priority else None
        cmd = [*([nice, "-n", "19"] if nice else []), self.cargo, "check",
               f"--message-format={fmt}"]
        if self.workspace:
            cmd.append("--workspace")
        if self.keep_going:
            cmd.append("--keep-going")
        if self.manifest is not None:
            cmd += ["--manifest-path", os.path.abspath(self.manifest)]  # never read as a flag
        return [*cmd, *self.extra_args]

    def env(self) -> dict[str, str]:
        env = {**os.environ, "CARGO_TERM_COLOR": "always" if self.color else "never"}
        if self.target_dir is not None:
            env["CARGO_TARGET_DIR"] = str(self.target_dir)
        return env

    def popen(self, *, stderr: int | None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(), cwd=self.cwd, env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8",
            errors="replace", start_new_session=True)


def parse_line(line: str) -> JsonDict | None:
    """A JSON object line of cargo's output, or None for anything else (build-script
    output, a half-written line)."""
    if not line.startswith("{"):
        return None
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        return None
    return message if isinstance(message, dict) else None


def _in_workspace(file: str, root: Path, where: str) -> bool:
    """Whether a file rustc names (relative to the workspace root, or absolute) is one of the
    workspace's own (`where`: the root, canonical)."""
    return not in_dependency(file) and PurePath(canonical(root / file)).is_relative_to(where)


def _distrust(message: JsonDict, root: Path) -> str | None:
    """Why a compiler-message record is not to be believed, or None."""
    manifest = message.get("manifest_path")
    if not isinstance(message.get("package_id"), str) or not isinstance(manifest, str):
        return "it names no package"
    where = canonical(root)
    if not _in_workspace(manifest, root, where):
        return f"its package ({manifest}) is not a member of the workspace"
    inner = message.get("message")
    found = problem(inner)
    if found is not None or not isinstance(inner, dict):
        return f"it is malformed ({found})"
    for span in inner.get("spans") or ():
        if not span.get("is_primary"):
            continue
        current, reached = span, False
        while current is not None and not reached:  # the span, then its macro call sites
            reached = _in_workspace(current["file_name"], root, where)
            current = (current.get("expansion") or {}).get("span")
        if not reached:
            return f"it points outside the workspace ({span['file_name']})"
    return None


def compiler_message(message: JsonDict, root: Path) -> JsonDict | None:
    """The rustc diagnostic a cargo message carries, or None: artifacts, build-script runs,
    build-finished, and (with a warning) a diagnostic not to be believed of the workspace at
    `root`."""
    if message.get("reason") != "compiler-message":
        return None
    why = _distrust(message, root)
    if why is not None:
        log.warning("borrowlens skipped a compiler message cargo printed: %s", why)
        return None
    inner: JsonDict = message["message"]
    return inner


def compiler_messages(stdout: str, root: Path) -> Iterator[JsonDict]:
    """The rustc diagnostics in the whole of cargo's stdout (of the workspace at `root`)."""
    for line in stdout.split("\n"):
        message = parse_line(line)
        inner = compiler_message(message, root) if message is not None else None
        if inner is not None:
            yield inner


@dataclass(frozen=True)
class Finished:
    """A check that ran to its end: cargo's exit status, rustc's diagnostics, cargo's stderr."""

    returncode: int
    messages: list[JsonDict]
    stderr: str

    def stderr_tail(self, lines: int) -> list[str]:
        """cargo's last non-blank lines of complaint."""
        return _lines(self.stderr)[-lines:]


def run(check: Check,
        started: Callable[[subprocess.Popen[str]], None] | None = None) -> Finished:
    """Runs the check to its end, capturing its output. Interrupted (Ctrl-C), it kills the
    whole run before the interruption goes on. `started` is told the process, for a caller
    that may kill it from another thread (`kill_group`): the result then has a negative
    returncode."""
    with check.popen(stderr=subprocess.PIPE) as proc:
        if started is not None:
            started(proc)
        try:
            stdout, stderr = proc.communicate()
        except BaseException:
            kill_group(proc.pid)
            raise
    return Finished(proc.returncode, list(compiler_messages(stdout, check.workspace_root())),
                    stderr)


class Streaming:
    """A check whose messages are read as cargo prints them; cargo's stderr (its progress)
    goes where borrowlens' own does. Leaving the `with` block early (an error, Ctrl-C, a
    closed pipe) kills the run."""

    def __init__(self, check: Check) -> None:
        self._proc = check.popen(stderr=None)
        self.returncode: int | None = None

    def __enter__(self) -> Streaming:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._proc.poll() is None:
            kill_group(self._proc.pid)
        self._proc.__exit__(kind, error, trace)
        self.returncode = self._proc.returncode

    def settle(self, timeout: float) -> None:
        """Lets the run end by itself (its output on stdout dropped) for at most TIMEOUT
        seconds; leaving the `with` block kills it if it has not."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.communicate(timeout=timeout)

    def messages(self, other: Callable[[str], object]) -> Iterator[JsonDict]:
        """Each JSON message in turn; any other line goes to `other`. `returncode` is set
        once the messages end."""
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            message = parse_line(line)
            if message is None:
                other(line)
            else:
                yield message
        self.returncode = self._proc.wait()


class Background:
    """A check run from an event loop (the standalone server) that a newer one can cancel."""

    def __init__(self, check: Check) -> None:
        self.check = check
        self.process: asyncio.subprocess.Process | None = None

    async def run(self) -> Finished | None:
        """The finished check, or None when it was killed."""
        import asyncio  # noqa: PLC0415  (only the standalone server's loop comes here)

        command = self.check.command()
        self.process = await asyncio.create_subprocess_exec(
            *command, cwd=self.check.cwd, env=self.check.env(),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = await self.process.communicate()
        except BaseException:  # cancelled (the session ends): the run goes with it
            kill_group(self.process.pid)
            raise
        if self.process.returncode is None or self.process.returncode < 0:
            return None  # killed: a newer check replaces this one
        messages = compiler_messages(stdout.decode("utf-8", errors="replace"),
                                     self.check.workspace_root())
        return Finished(self.process.returncode, list(messages),
                        stderr.decode("utf-8", errors="replace"))

    async def kill(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            kill_group(process.pid)
            await process.wait()
