"""Finding the real rust-analyzer to sit in front of, and saying why each candidate was
taken or skipped (`borrowlens doctor` prints the reasons).

Order: `--rust-analyzer PATH`, `$BORROWLENS_RUST_ANALYZER`, `rustup which rust-analyzer`, the
binary bundled with the VS Code rust-analyzer extension, `rust-analyzer` on PATH (never
borrowlens itself, which may be installed under that name), then the copy borrowlens' own
set-up builds in its cache. Each candidate must answer `--version` with "rust-analyzer …".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from borrowlens.analyses.rust.sources import split_lines
from borrowlens.server.signals import kill_group

# Set in the child's environment: a borrowlens started with it set was launched by a
# borrowlens, i.e. some configuration points rust-analyzer back at us.
DEPTH_ENV = "BORROWLENS_PROXY_DEPTH"
# How long a candidate may take to answer `--version` (rustup to answer `which`).
PROBE_TIMEOUT = 15.0


@dataclass(frozen=True)
class Candidate:
    path: str
    source: str


@dataclass
class Discovery:
    """The chosen rust-analyzer (if any) and what was tried on the way."""

    path: str | None = None
    version: str | None = None
    source: str | None = None
    tried: list[tuple[Candidate, str]] = field(default_factory=list)


def cache_dir() -> Path:
    base = os.environ.get("BORROWLENS_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "borrowlens"


def _version_key(path: Path) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", path.as_posix())
    return tuple(int(n) for n in numbers)


def _vscode_bundled() -> Iterator[Path]:
    home = Path.home()
    roots = [home / ".vscode" / "extensions", home / ".vscode-server" / "extensions",
             home / ".vscode-oss" / "extensions", home / ".cursor" / "extensions",
             home / ".local" / "share" / "code-server" / "extensions"]
    for root in roots:
        found = sorted(root.glob("rust-lang.rust-analyzer-*/server/rust-analyzer"),
                       key=_version_key, reverse=True)
        yield from found


def _self_paths() -> set[Path]:
    mine = {Path(sys.argv[0]).resolve()} if sys.argv and sys.argv[0] else set()
    script = shutil.which("borrowlens")
    if script:
        mine.add(Path(script).resolve())
    return mine


def probe(command: list[str], env: Mapping[str, str] | None = None,
          ) -> subprocess.CompletedProcess[str]:
    """Runs a short query (`--version`, `rustup which`) to its end. stdin is /dev/null and the
    run has a process group of its own: after PROBE_TIMEOUT the whole group is killed (a
    wrapper script's children too, which `subprocess.run`'s timeout leaves running) and
    TimeoutExpired raised."""
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace", env=env,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=PROBE_TIMEOUT)
        except BaseException:
            kill_group(proc.pid)
            raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def spawn(path: str, args: list[str]) -> subprocess.Popen[bytes]:
    """rust-analyzer started for the proxy on pipes, in a process group of its own (its
    cargo and proc-macro servers are killed with it), marked as borrowlens' child (a
    borrowlens behind it serves standalone). The first thing the proxy does, so it starts
    while borrowlens loads the rest of itself."""
    return subprocess.Popen([path, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, DEPTH_ENV: "1"},
                            start_new_session=True, bufsize=0)


def _rustup_which() -> str | None:
    rustup = shutil.which("rustup")
    if rustup is None:
        return None
    try:
        proc = probe([rustup, "which", "rust-analyzer"])
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def candidates(explicit: str | None) -> Iterator[Candidate]:
    # A path the user gives is a path, relative to the current directory: run as given, a
    # relative one (`./ra` is `ra` to pathlib) would be looked up on PATH instead.
    if explicit:
        yield Candidate(os.path.abspath(explicit), "--rust-analyzer")
    env = os.environ.get("BORROWLENS_RUST_ANALYZER")
    if env:
        yield Candidate(os.path.abspath(env), "$BORROWLENS_RUST_ANALYZER")
    rustup = _rustup_which()
    if rustup:
        yield Candidate(rustup, "rustup which rust-analyzer")
    for bundled in _vscode_bundled():
        yield Candidate(str(bundled), "VS Code rust-analyzer extension")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory:
            path = Path(directory) / "rust-analyzer"
            if path.is_file() and os.access(path, os.X_OK):
                yield Candidate(str(path), "PATH")
    for built in sorted(cache_dir().glob("rust-analyzer-*/bin/rust-analyzer"),
                        key=_version_key, reverse=True):
        yield Candidate(str(built), "borrowlens cache")


def validate(candidate: Candidate) -> tuple[str | None, str]:
    """(version, "") when the candidate is a working rust-analyzer, else (None, why not)."""
    path = Path(candidate.path)
    if not path.is_file():
        return None, "not found"
    if not os.access(path, os.X_OK):
        return None, "not executable"
    if path.resolve() in _self_paths():
        return None, "this is borrowlens itself"
    try:
        proc = probe([str(path), "--version"], env={**os.environ, DEPTH_ENV: "1"})
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"could not run it: {error}"
    out = split_lines((proc.stdout or proc.stderr).strip())
    first = out[0] if out else ""
    if proc.returncode != 0 or not first.startswith("rust-analyzer"):
        detail = first or f"exit status {proc.returncode}"
        return None, f"`--version` did not answer as rust-analyzer ({detail})"
    return first, ""


def find_rust_analyzer(explicit: str | None = None, *, first_only: bool = True) -> Discovery:
    """Tries the candidates in order; with `first_only`, stops at the first working one."""
    result = Discovery()
    seen: set[str] = set()
    for candidate in candidates(explicit):
        key = str(Path(candidate.path).resolve()) if Path(candidate.path).exists() \
            else candidate.path
        if key in seen:
            continue
        seen.add(key)
        version, why = validate(candidate)
        result.tried.append((candidate, why or "ok"))
        if version is not None and result.path is None:
            result.path, result.version, result.source = candidate.path, version, \
                candidate.source
            if first_only:
                break
    return result
