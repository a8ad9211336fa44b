"""`borrowlens doctor`: what borrowlens finds on this machine and the mode it would run in.

It walks the same rust-analyzer discovery the language server uses (`discovery`), but tries
every candidate instead of stopping at the first working one, so a user can see why the one
they configured was skipped. It also reports cargo and rustc (standalone mode and
`borrowlens check|fix` need them) and the versions needed in a bug report, then the editor it
runs in (`editors.detect`) with that editor's configuration; `--editor NAME` prints only the
configuration of NAME.

Exit status: 0 when the server would run (proxy or standalone) and cargo is there; 1 when
something the user must fix is missing (cargo, rustc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from borrowlens.analyses.rust.sources import split_lines
from borrowlens.cli import editors
from borrowlens.cli.terminal import CliError
from borrowlens.server import __version__
from borrowlens.server.cargo import find_program
from borrowlens.server.discovery import DEPTH_ENV, Discovery, find_rust_analyzer

EXIT_OK = 0
EXIT_PROBLEM = 1


@dataclass(frozen=True)
class Tool:
    """cargo or rustc: where it is and what `--version` says (or why it could not run)."""

    name: str
    path: str | None
    version: str | None
    error: str | None


@dataclass(frozen=True)
class CandidateReport:
    path: str
    source: str
    works: bool
    chosen: bool
    reason: str


@dataclass
class Report:
    borrowlens_version: str
    python_version: str
    python_executable: str
    candidates: list[CandidateReport]
    rust_analyzer: dict[str, str] | None
    cargo: Tool
    rustc: Tool
    mode: str
    mode_reason: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "borrowlens": {"version": self.borrowlens_version,
                           "python": self.python_version,
                           "python_executable": self.python_executable},
            "rust_analyzer": {
                "chosen": self.rust_analyzer,
                "candidates": [asdict(c) for c in self.candidates],
            },
            "cargo": _tool_json(self.cargo),
            "rustc": _tool_json(self.rustc),
            "mode": self.mode,
            "mode_reason": self.mode_reason,
            "problems": self.problems,
            "warnings": self.warnings,
            "ok": self.ok,
        }


def _tool_json(tool: Tool) -> dict[str, str | None]:
    return {"path": tool.path, "version": tool.version, "error": tool.error}


def probe_tool(name: str, env_var: str) -> Tool:
    """`$ENV_VAR` (as cargo honours $CARGO/$RUSTC) or NAME on PATH, and its `--version`."""
    path = find_program(name, env_var)
    if path is None:
        wanted = os.environ.get(env_var)
        where = f"${env_var}={wanted}" if wanted else "PATH"
        return Tool(name, None, None, f"not found ({where})")
    try:
        proc = subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Tool(name, path, None, f"could not run it: {error}")
    lines = split_lines((proc.stdout or proc.stderr).strip())
    first = lines[0] if lines else ""
    if proc.returncode != 0:
        # rustup's proxies exit non-zero when the toolchain lacks the binary; say so.
        return Tool(name, path, None, first or f"exit status {proc.returncode}")
    return Tool(name, path, first or None, None)


def _candidates(found: Discovery) -> list[CandidateReport]:
    out: list[CandidateReport] = []
    for candidate, why in found.tried:
        works = why == "ok"
        chosen = works and candidate.path == found.path and candidate.source == found.source
        if chosen:
            reason = f"chosen ({found.version})"
        elif works:
            reason = "works, but an earlier candidate comes first"
        else:
            reason = why
        out.append(CandidateReport(candidate.path, candidate.source, works, chosen, reason))
    return out


def diagnose(explicit: str | None, standalone: bool) -> Report:
    """Everything `doctor` prints, gathered the way `borrowlens` (the server) would."""
    found = find_rust_analyzer(explicit, first_only=False)
    candidates = _candidates(found)
    chosen = None
    if found.path is not None:
        chosen = {"path": found.path, "version": found.version or "",
                  "source": found.source or ""}
    problems: list[str] = []
    warnings: list[str] = []
    for report in candidates:
        if report.source in ("--rust-analyzer", "$BORROWLENS_RUST_ANALYZER") \
                and not report.works:
            warnings.append(f"the rust-analyzer given by {report.source} ({report.path}) "
                            f"was skipped: {report.reason}")
    if os.environ.get(DEPTH_ENV):
        mode, reason = "standalone", (
            f"${DEPTH_ENV} is set: this borrowlens was started by borrowlens (rust-analyzer "
            "is configured to be borrowlens itself)")
    elif standalone:
        mode, reason = "standalone", "--standalone was given"
    elif chosen is not None:
        mode, reason = "proxy", (f"rust-analyzer found ({chosen['source']}): "
                                 f"{chosen['path']}")
    else:
        mode, reason = "standalone", (
            "no working rust-analyzer was found"
            + (" (no candidates)" if not candidates else ""))
        warnings.append("without rust-analyzer borrowlens only explains compiler errors "
                        "(its own cargo check on open and save); install it with `rustup "
                        "component add rust-analyzer` or pass --rust-analyzer PATH")
    cargo = probe_tool("cargo", "CARGO")
    rustc = probe_tool("rustc", "RUSTC")
    if cargo.version is None:
        problems.append(f"cargo: {cargo.error}; install Rust with rustup (https://rustup.rs)")
    if rustc.version is None:
        problems.append(f"rustc: {rustc.error}; install Rust with rustup (https://rustup.rs)")
    return Report(
        borrowlens_version=__version__,
        python_version=platform.python_version(),
        python_executable=sys.executable,
        candidates=candidates, rust_analyzer=chosen, cargo=cargo, rustc=rustc,
        mode=mode, mode_reason=reason, problems=problems, warnings=warnings)


def render_text(report: Report) -> str:
    lines = [f"borrowlens {report.borrowlens_version} "
             f"(Python {report.python_version}, {report.python_executable})", "",
             "rust-analyzer candidates (in the order borrowlens tries them):"]
    if not report.candidates:
        lines.append("  (none)")
    for candidate in report.candidates:
        mark = "*" if candidate.chosen else ("+" if candidate.works else "-")
        lines.append(f"  {mark} {candidate.path}  [{candidate.source}]")
        lines.append(f"      {candidate.reason}")
    if report.rust_analyzer is not None:
        chosen = report.rust_analyzer
        lines.append(f"rust-analyzer: {chosen['path']} ({chosen['version']}, "
                     f"from {chosen['source']})")
    else:
        lines.append("rust-analyzer: none")
    lines.append("")
    for tool in (report.cargo, report.rustc):
        if tool.version is not None:
            lines.append(f"{tool.name}: {tool.path} ({tool.version})")
        else:
            lines.append(f"{tool.name}: {tool.path or 'missing'} ({tool.error})")
    lines.append("")
    lines.append(f"mode: {report.mode} — {report.mode_reason}")
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    for problem in report.problems:
        lines.append(f"problem: {problem}")
    lines.append("")
    lines.append("ok: the language server would run" if report.ok
                 else "not ok: fix the problems above")
    return "\n".join(lines) + "\n"


def print_editor(name: str, as_json: bool) -> int:
    """`doctor --editor NAME`: that editor's configuration alone, ready to paste."""
    page = editors.shipped().get(name)
    if page is None:
        raise CliError(f"borrowlens has no configuration page for {name} yet "
                       f"({editors.PAGES.as_posix()}/{name}.md); these have one: "
                       f"{', '.join(sorted(editors.shipped()))}")
    if as_json:
        print(json.dumps(page.to_json(), indent=2))
    else:
        sys.stdout.write(editors.render(page))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.editor is not None:
        return print_editor(args.editor, args.format == "json")
    report = diagnose(args.rust_analyzer, args.standalone)
    editor = editors.with_page(editors.detect(os.environ))
    if args.format == "json":
        print(json.dumps({**report.to_json(), "editor": editors.report_json(editor)},
                         indent=2))
    else:
        sys.stdout.write(render_text(report) + "\n" + editors.report_text(editor))
    return EXIT_OK if report.ok else EXIT_PROBLEM
