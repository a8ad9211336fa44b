"""`borrowlens fix`'s progress line: rewritten in place on a terminal (stderr a pty), absent
when stderr is a pipe; stdout (the diff) is the same either way."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import termios
from pathlib import Path

from support.cli import BORROWLENS
from support.fixtures import FIXTURES

ERASE = "\r\x1b[K"


def crate(tmp_path: Path) -> Path:
    """A fixture crate of its own that one round of `fix` makes compile."""
    dest = tmp_path / "crate"
    shutil.copytree(FIXTURES / "recursive-async" / "mutual", dest, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns("rustc.json", "expect.toml", "target"))
    manifest = dest / "Cargo.toml"
    lines = manifest.read_text().split("\n")
    manifest.write_text("\n".join('name = "progress"' if line.startswith("name = ") else line
                                  for line in lines))
    return dest


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "TERM": "xterm",
            "CARGO_TARGET_DIR": str(tmp_path / "target")}


def fix_on_a_terminal(path: Path, environ: dict[str, str],
                      columns: int) -> tuple[int, str, str]:
    """Runs `borrowlens fix --dry-run PATH` with stderr on a pseudo-terminal COLUMNS wide;
    returns the exit status, stdout and what the terminal received."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([str(BORROWLENS), "fix", "--dry-run", str(path)], env=environ,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    stdout, _ = proc.communicate(timeout=600)
    # The terminal's own line discipline turns "\n" into "\r\n"; undo that alone.
    return proc.returncode, stdout.decode(), received.decode().replace("\r\n", "\n")


def test_progress_line_is_rewritten_in_place_on_a_terminal(tmp_path: Path) -> None:
    status, stdout, terminal = fix_on_a_terminal(crate(tmp_path), env(tmp_path), columns=60)
    assert status == 0, terminal
    assert "+    Box::pin(is_odd(n - 1)).await" in stdout
    updates = terminal.split(ERASE)
    assert updates[0] == ""  # nothing before the first rewrite
    assert "borrowlens fix: 1 error to start with" in updates
    assert "borrowlens fix: round 1: 0 errors left, 1 fix applied" in updates
    # Every update fits the terminal (one column spare), so none wraps onto a second line;
    # the last erase clears the line before the summary.
    assert all(len(update) < 60 for update in updates[:-1]), updates
    assert any(update.startswith("borrowlens fix: round 1: 1 error, checking 1 fix: ")
               and update.endswith("…") for update in updates), updates  # cut to fit
    assert "\n" not in "".join(updates[:-1])
    assert updates[-1].endswith("1 fix applied, 0 rolled back; would change 1 file "
                                "(dry run: nothing written)\n")


def test_no_progress_when_stderr_is_piped(tmp_path: Path) -> None:
    proc = subprocess.run([str(BORROWLENS), "fix", "--dry-run", str(crate(tmp_path))],
                          env=env(tmp_path), capture_output=True, text=True, check=False,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr
    assert "round" not in proc.stderr and "to start with" not in proc.stderr
    assert proc.stderr.endswith("(dry run: nothing written)\n")
    assert "+    Box::pin(is_odd(n - 1)).await" in proc.stdout
