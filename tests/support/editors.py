"""Shared pieces of the tests that drive real editors (tests/e2e/test_neovim.py,
test_emacs.py): the fixture crate copied for one editor session, the documented snippet read
from its docs/editors page, the real `cargo check` that has the last word, and the processes
a session must not leave behind.

Each editor runs as a child process with the session's own CARGO_TARGET_DIR in its
environment; every process it starts (borrowlens, rust-analyzer, cargo) inherits it, which is
how `left_behind` finds them after the editor is gone.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cli import BORROWLENS
from .lsp_session import alive, copy_fixture, rust_analyzer

ROOT = Path(__file__).resolve().parents[2]
EDITOR_DOCS = ROOT / "docs" / "editors"

# What every editor session opens: an async fn that awaits itself (E0733), whose one
# borrowlens fix boxes the recursive call.
CASE = "recursive-async/direct"
ORIGINAL_CALL = "sum += total_size(child).await;"
FIXED_CALL = "sum += Box::pin(total_size(child)).await;"
FIX_TITLE = "Box the recursive call: `Box::pin(total_size(child))` (borrowlens)"
# The same action once borrowlens' background check proved the fix (server/verifier.py):
# whether that has happened when the editor asks depends on timing, so both are accepted.
FIX_TITLES = (FIX_TITLE,
              "Box the recursive call: `Box::pin(total_size(child))` — compiles (borrowlens)")
# Safety nets only: a session takes seconds once rust-analyzer's sysroot index is warm.
STEP_TIMEOUT_S = 240
RUN_TIMEOUT_S = 900


@dataclass
class Crate:
    """A fixture crate copied alone, uniquely named, with its own target directory (cargo's
    fingerprints ignore where a crate lives; same-named copies must not share builds)."""

    path: Path
    target: Path

    @property
    def lib(self) -> Path:
        return self.path / "src" / "lib.rs"


def copy_editor_crate(tmp_path: Path) -> Crate:
    crate = Crate(copy_fixture(CASE, tmp_path / "crate"), tmp_path / "target")
    assert ORIGINAL_CALL in crate.lib.read_text()
    return crate


def cargo_check(crate: Crate) -> subprocess.CompletedProcess[str]:
    """The real `cargo check` of the crate as the editor left it on disk."""
    return subprocess.run(["cargo", "check", "--quiet", "--offline"], cwd=crate.path,
                          env={**os.environ, "CARGO_TARGET_DIR": str(crate.target),
                               "CARGO_TERM_COLOR": "never"},
                          capture_output=True, text=True, check=False, timeout=600)


def enriched_data(diagnostic: Mapping[str, Any]) -> dict[str, Any]:
    """The `data.borrowlens` of the diagnostic an editor showed, checked: the family, its fix,
    and the one-line summary appended to rustc's message."""
    data: dict[str, Any] = diagnostic["borrowlens"]
    assert data["family"] == "recursive-async"
    assert data["fixes"] == ["box-pin"]
    assert "recursion in an async fn requires boxing" in diagnostic["message"]
    assert f"borrowlens: {data['tldr']}" in diagnostic["message"]
    # The wording is the family's to change; the facts (the function, the fix) must be there.
    assert "total_size" in data["tldr"] and "Box::pin" in data["tldr"]
    return data


def our_action(actions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """borrowlens' one quick fix among the code actions an editor offered, preferred."""
    ours = [a for a in actions if str(a["title"]).endswith("(borrowlens)")]
    assert len(ours) == 1 and ours[0]["title"] in FIX_TITLES, actions
    assert ours[0]["preferred"]
    return ours[0]


def assert_fixed_on_disk(crate: Crate, buffer_text: str) -> None:
    """The editor applied the fix to its buffer and saved it, and the compiler agrees."""
    assert FIXED_CALL in buffer_text
    saved = crate.lib.read_text()
    assert FIXED_CALL in saved and ORIGINAL_CALL not in saved
    check = cargo_check(crate)
    assert check.returncode == 0, check.stderr


def snippet_env(crate: Crate, tmp_path: Path, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment of an editor running a documented snippet as written: the plain
    `borrowlens` command found on PATH (this checkout's), the real rust-analyzer for it to
    start, a home of its own (no user configuration, no state shared between runs), the
    session's own target directory. The snippets ask for the short explanation; a default of
    "full" here shows whether their settings reached borrowlens."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("BORROWLENS_RUST_ANALYZER", *drop)}
    env.update({
        # rustup and cargo keep finding the toolchain and registry of the real home.
        "RUSTUP_HOME": env.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
        "CARGO_HOME": env.get("CARGO_HOME", str(Path.home() / ".cargo")),
        "HOME": str(home), "PATH": f"{BORROWLENS.parent}{os.pathsep}{env.get('PATH', '')}",
        "BORROWLENS_RUST_ANALYZER": rust_analyzer(),
        "BORROWLENS_EXPLANATION": "full",
        "CARGO_TARGET_DIR": str(crate.target),
    })
    return env


def documented_block(page_name: str, heading: str, language: str) -> str:
    """The first ```LANGUAGE block under the `## HEADING` section of docs/editors/PAGE_NAME,
    as written there. Fails when the page no longer has it in that shape."""
    page_path = EDITOR_DOCS / page_name
    page = page_path.read_text(encoding="utf-8")
    assert heading + "\n" in page, f"{page_path}: no section {heading!r}"
    section = page.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    fence = f"```{language}\n"
    assert fence in section, f"{page_path}: no {fence.strip()} block under {heading!r}"
    return section.split(fence, 1)[1].split("```", 1)[0]


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def left_behind(crate: Crate, grace: float = 10.0) -> list[str]:
    """The command lines of live processes that still carry the session's CARGO_TARGET_DIR
    once `grace` seconds have passed: what the editor session left running."""
    marker = b"\0" + f"CARGO_TARGET_DIR={crate.target}".encode() + b"\0"
    deadline = time.monotonic() + grace
    while True:
        found = [int(p.name) for p in Path("/proc").iterdir()
                 if p.name.isdigit() and marker in b"\0" + _environ(int(p.name)) + b"\0"]
        found = [pid for pid in found if pid != os.getpid() and alive(pid)]
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    lines = []
    for pid in found:
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        command = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        lines.append(f"{pid}: {command}")
    return lines
