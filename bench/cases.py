"""The proxy's hard cases, measured against the same child without the proxy (issue 15).

    .venv/bin/python -m bench.cases [--repeat N] [--sizes 200,2000,5000] [--json FILE]

* **Forwarding cases**, with the scripted rust-analyzer (`tests/support/fake_rust_analyzer.py`,
  which answers at once, so what is left is the proxy's cost): the fake alone, the fake
  behind `borrowlens --rust-analyzer` and the fake behind the floor relay
  (`bench/floor_relay.py`, the least a threaded Python relay of frames does), request by
  request interleaved (direct, proxy, direct, floor, …) so a load change on the machine hits
  every side alike. Per case the added time (proxy minus direct, floor minus direct), min
  and median over the repetitions, and the CPU time the proxy's (the floor's) process used
  per request (from `/proc`: what it costs whatever else the machine runs; clock ticks of
  10 ms, so only a total over many requests means anything):
  * *small request*: `fake/echo` of a few bytes (per-request overhead);
  * *100 KB / 5 MB response*: `fake/huge` (a hover-shaped result the proxy does not change);
  * *queued behind a publish*: `fake/publish` writes a publishDiagnostics of 200
    diagnostics (as in the scaling table; every line of the file changed each time, so
    nothing is cached or carried over) and then the response: how
    long the response waits for the publish's enrichment. The first repetition (the first
    publish of the process) is reported apart.
* **Enrichment scaling**, in this process: `Session.enrich` on N diagnostics (half copies
  of a fixture's conflicting-borrows error with its hint copies, each on its own copy of the
  fixture's code, half other errors and warnings) in one file and spread over 50 and 500
  files (where that leaves 4 diagnostics a file at least): *cold* (a new session; the
  process already warm), *cached* (the same publish again), *after an edit* (a line
  inserted at the top, every range moved: what was recognised is carried over,
  server/moved.py) and *all changed* (every line of the file changed and every range moved
  back: everything classified afresh, in a session that has state).

No time is asserted anywhere; this prints what it measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lsp import Client
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "support" / "fake_rust_analyzer.py"
FLOOR = ROOT / "bench" / "floor_relay.py"
SETTLE_SECONDS = 3.0
BORROWLENS = Path(sys.executable).parent / "borrowlens"
CASE = ROOT / "tests" / "fixtures" / "conflicting-borrows" / "push-while-iterating"
OTHER = [(1, "E0308", "mismatched types\nexpected `u32`, found `&str`"),
         (2, None, "unused variable: `x`\n`#[warn(unused_variables)]` on by default"),
         (1, "E0425", "cannot find value `y` in this scope")]


def _case() -> tuple[str, str, list[dict[str, Any]]]:
    """A fixture's source, its URI and its error as rust-analyzer publishes it (an E0502
    borrowlens recognises, and two hint copies)."""
    source = CASE / "src" / "lib.rs"
    found = []
    for line in (CASE / "rustc.json").read_text(encoding="utf-8").splitlines():
        if line.strip():
            found += [d for _, d in to_lsp(json.loads(line)["message"], CASE.parent.parent)]
    return source.read_text(encoding="utf-8"), source.as_uri(), found


def _moved(value: Any, uri: str, new_uri: str, lines: int) -> Any:
    """A copy of `value` with every range `lines` down and the fixture's URI replaced."""
    if isinstance(value, dict):
        if "line" in value and "character" in value:
            return {**value, "line": value["line"] + lines}
        return {k: _moved(v, uri, new_uri, lines) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, uri, new_uri, lines) for v in value]
    return new_uri if value == uri else value


def publishes(workdir: Path, size: int, files: int, edited: bool = False, variant: int = 0
              ) -> list[dict[str, Any]]:
    """publishDiagnostics params for `size` diagnostics over `files` files (written to
    `workdir`): half copies of the fixture's error (each on its own copy of the fixture's
    code), half other errors and warnings. `edited`: a line inserted at the top of each file
    and every range one line down, as after an edit. `variant`: that many blanks at the end
    of every line, so that texts of two variants differ on every line."""
    text, uri, group = _case()
    height = text.count("\n")
    per_file = max(1, size // files)
    copies = max(1, per_file // 2 // len(group))
    found = []
    for index in range(files):
        path = workdir / f"src{index}.rs"
        body = (text * copies).replace("\n", " " * variant + "\n")
        path.write_text(("\n" if edited else "") + body, encoding="utf-8")
        new_uri = path.as_uri()
        diagnostics = [_moved(d, uri, new_uri, copy * height + edited)
                       for copy in range(copies) for d in group]
        for i in range(per_file - len(diagnostics)):
            severity, code, message = OTHER[i % len(OTHER)]
            line = i % (copies * height) + edited
            diagnostics.append({"range": {"start": {"line": line, "character": 0},
                                          "end": {"line": line, "character": 2}},
                                "severity": severity, "code": code, "source": "rustc",
                                "message": message})
        found.append({"uri": new_uri, "diagnostics": diagnostics})
    return found


# --- enrichment scaling -----------------------------------------------------------------


def _enrich_all(session: Session, batches: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for params in batches:
        session.enrich(params)
    return (time.perf_counter() - started) * 1e3


SPREAD = (1, 50, 500)  # files the diagnostics of a row are spread over


def bench_scaling(workdir: Path, sizes: list[int]) -> list[dict[str, Any]]:
    _enrich_all(Session(), publishes(workdir, 20, 1))  # warm: imports, tree-sitter
    rows = []
    for size in sizes:
        # A file holds at least one copy of the error and its hints and one other diagnostic:
        # fewer diagnostics than 4 a file would publish more than `size`.
        for files in [f for f in SPREAD if f == 1 or size >= 4 * f]:
            session = Session()
            batch = publishes(workdir, size, files)
            row: dict[str, Any] = {"diagnostics": size, "files": files,
                                   "cold_ms": _enrich_all(session, batch),
                                   "cached_ms": _enrich_all(session, batch)}
            row["recognised"] = sum(len(v) for v in session.recognised.entries.values())
            edited = publishes(workdir, size, files, edited=True)
            row["after_edit_ms"] = _enrich_all(session, edited)
            row["changed_ms"] = _enrich_all(session, publishes(workdir, size, files,
                                                               variant=1))
            rows.append(row)
            _progress(f"  {size} in {files}: {row['cold_ms']:.0f} / {row['cached_ms']:.0f} / "
                      f"{row['after_edit_ms']:.0f} / {row['changed_ms']:.0f} ms")
    return rows


# --- forwarding cases -------------------------------------------------------------------


async def _sides(workdir: Path) -> tuple[Client, Client, Client]:
    """The fake alone, behind borrowlens, and behind the floor relay."""
    # The fake as an executable (the proxy checks its `--version`), on this interpreter.
    fake = workdir / "rust-analyzer"
    fake.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORROWLENS_")}
    direct = Client([str(fake)], env, cwd=str(workdir))
    proxy = Client([str(BORROWLENS), "--rust-analyzer", str(fake)], env, cwd=str(workdir))
    floor = Client([sys.executable, str(FLOOR), str(fake)], env, cwd=str(workdir))
    for client in (direct, proxy, floor):
        await client.start()
        await client.request("initialize", {"capabilities": {}, "rootUri": workdir.as_uri()})
        client.notify("initialized", {})
    # borrowlens loads its analyses while rust-analyzer loads the workspace (seconds, for a
    # real one): forwarding is measured after that, as an editor's requests mostly are.
    await asyncio.sleep(SETTLE_SECONDS)
    return direct, proxy, floor


async def _added(direct: Client, other: Client, method: str, params: Any) -> float:
    _, there = await direct.request(method, params)
    _, here = await other.request(method, params)
    return (here - there) * 1e3


async def bench_forwarding(workdir: Path, repeat: int) -> dict[str, Any]:
    """Per case, the time borrowlens adds and the time the floor relay adds (each minus the
    fake alone, measured right before it)."""
    direct, proxy, floor = await _sides(workdir)
    cases: dict[str, tuple[str, Any]] = {
        "small request": ("fake/echo", {"text": "hello"}),
        "100 KB response": ("fake/huge", {"bytes": 100 * 1024}),
        "5 MB response": ("fake/huge", {"bytes": 5 * 1024 * 1024}),
    }
    results: dict[str, Any] = {}
    try:
        for name, (method, params) in cases.items():
            for client in (direct, proxy, floor):  # warm every side
                await client.request(method, params)
            added: list[float] = []
            floored: list[float] = []
            cpu = {client.pid: _cpu_seconds(client.pid) for client in (proxy, floor)}
            for index in range(repeat):
                # Which of the two goes first alternates, so neither always follows the other.
                order = [(proxy, added), (floor, floored)][::1 if index % 2 else -1]
                for other, values in order:
                    values.append(await _added(direct, other, method, params))
            proxy_cpu, floor_cpu = ((_cpu_seconds(c.pid) - cpu[c.pid]) * 1e3 / repeat
                                    for c in (proxy, floor))
            results[name] = {**_stats(added), "cpu_ms": proxy_cpu,
                             "floor": {**_stats(floored), "cpu_ms": floor_cpu}}
        added = []
        for index in range(repeat + 1):
            params = {"publishes": publishes(workdir, 200, 1, edited=bool(index % 2),
                                             variant=index % 2)}
            added.append(await _added(direct, proxy, "fake/publish", params))
            await asyncio.sleep(0.3)  # let the enrichment finish before the next one
        results["queued behind a publish, first"] = added[0]
        results["queued behind a publish"] = _stats(added[1:])
    finally:
        for client in (direct, proxy, floor):
            await client.stop()
    return results


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far: what it costs,
    whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(values: list[float]) -> dict[str, float]:
    return {"min_ms": min(values), "median_ms": statistics.median(values)}


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def report(results: dict[str, Any]) -> str:
    lines = ["forwarding (added by the proxy, ms: min / median, and its CPU per request; the "
             "floor relay's alike)"]
    for name, value in results.get("forwarding", {}).items():
        if isinstance(value, dict):
            floor = value.get("floor")
            cpu = f"  cpu {value['cpu_ms']:5.2f}" if "cpu_ms" in value else ""
            lines.append(f"  {name:34} {value['min_ms']:+8.2f} / {value['median_ms']:+8.2f}{cpu}"
                         + (f"   floor {floor['min_ms']:+8.2f} / {floor['median_ms']:+8.2f}"
                            f"  cpu {floor['cpu_ms']:5.2f}" if floor else ""))
        else:
            lines.append(f"  {name:34} {value:+8.2f}")
    lines.append("enrichment scaling (ms: cold / cached / after an edit / all changed)")
    for row in results.get("scaling", []):
        lines.append(f"  {row['diagnostics']:6} diagnostics in {row['files']:3} file(s), "
                     f"{row['recognised']:5} recognised  "
                     f"{row['cold_ms']:9.1f} / {row['cached_ms']:8.1f} / "
                     f"{row['after_edit_ms']:9.1f} / {row['changed_ms']:9.1f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cases", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sizes", default="200,2000,5000,20000",
                        help="diagnostics per publish round for the scaling table")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="borrowlens-cases-") as tmp:
        _progress("forwarding…")
        results["forwarding"] = asyncio.run(bench_forwarding(Path(tmp), args.repeat))
        _progress("enrichment scaling…")
        results["scaling"] = bench_scaling(Path(tmp), [int(s) for s in args.sizes.split(",")])
    sys.stdout.write(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
