"""Benchmarks of what the borrowlens proxy costs over rust-analyzer alone, measured against
rust-analyzer itself in the same run (see bench/README.md for what each number means).

    .venv/bin/python -m bench.run [--rust-analyzer PATH] [--rounds N] [--json FILE]

* session replay: bench/sessions/async-service.json sent to rust-analyzer directly and
  through `borrowlens --rust-analyzer PATH`, the two sessions side by side and interleaved
  request by request; total time ratio and
  the per-request latency difference (median / p95);
* publishDiagnostics enrichment: `Session.enrich` over a batch of LSP-shaped diagnostics
  (recognised fixture errors and unrecognised ones), against decoding + re-encoding them;
* start-up: `--version`, and the time until `initialize` is answered;
* `borrowlens check` against the `cargo check` it runs (bench/cli.py);
* memory: the proxy's resident set (/proc) after start-up and after each round of a long
  session;
* fix verification: proving the example's fixes on a shadow copy, against a plain
  `cargo check` (bench/verify.py).

`--smoke` runs every part with tiny counts (the test suite uses it so the harness cannot
rot); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import cli as cli_check
from bench import verify as verification
from bench.lsp import Client, rss_kib
from borrowlens.server.discovery import find_rust_analyzer
from borrowlens.server.documents import uri_to_path
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from borrowlens.server.wire import encode

REPO = Path(__file__).resolve().parent.parent
SESSION = REPO / "bench" / "sessions" / "async-service.json"
FIXTURES = REPO / "tests" / "fixtures"
BORROWLENS = Path(sys.executable).parent / "borrowlens"


def cache_dir() -> Path:
    base = os.environ.get("BORROWLENS_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "borrowlens"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples it stays a real one)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- session replay ---------------------------------------------------------------------


@dataclass
class Replay:
    """One server process driven through the recorded session."""

    label: str
    ready_s: float = 0.0  # start to loaded workspace and the first cargo check published
    rounds_s: list[float] = field(default_factory=list)
    # latencies[r][i]: seconds for the i-th request of round r
    latencies: list[list[float]] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)  # after start-up, then after each round


def load_session(root: Path, messages: int | None) -> dict[str, Any]:
    text = SESSION.read_text(encoding="utf-8").replace("${ROOT}", root.as_uri())
    session: dict[str, Any] = json.loads(text)
    if messages is not None:
        session["round"] = session["round"][:messages]
    return session


def crate_copy(workdir: Path) -> Path:
    """A private copy of the example crate (rust-analyzer and cargo write next to it)."""
    dest = workdir / "async-service"
    if dest.exists():
        return dest  # sessions edit in memory only: the copy stays as it was made
    shutil.copytree(REPO / "examples" / "async-service", dest,
                    ignore=shutil.ignore_patterns("target"))
    return dest


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BORROWLENS_PROXY_DEPTH", "BORROWLENS_LOG")}
    # One target dir for every run: rust-analyzer's build-script/proc-macro build and its
    # cargo check are then warm after the first session.
    env["CARGO_TARGET_DIR"] = str(cache_dir() / "bench-target")
    return env


def _is_ready(message: dict[str, Any]) -> bool:
    params = message.get("params") or {}
    return bool(message.get("method") == "experimental/serverStatus"
                and params.get("quiescent"))


def _checked(uri: str) -> Any:
    def predicate(message: dict[str, Any]) -> bool:
        params = message.get("params") or {}
        return bool(message.get("method") == "textDocument/publishDiagnostics"
                    and params.get("uri") == uri
                    and any(d.get("source") == "rustc" for d in params.get("diagnostics", ())))
    return predicate


class Driver:
    """One server process driven through the recorded session, a message at a time (so the
    direct and the proxied session can be interleaved request by request)."""

    def __init__(self, label: str, command: list[str], root: Path,
                 messages: int | None, rss_of: str) -> None:
        self.result = Replay(label)
        self.root = root
        self.session = load_session(root, messages)
        self.client = Client(command, server_env(), cwd=str(root))
        self.rss_of = rss_of  # "server": sample the process started (proxy or rust-analyzer)
        self.versions: dict[str, int] = {}
        self._latencies: list[float] = []
        self._round_s = 0.0

    async def start(self) -> None:
        """Started, initialised, the files open, the workspace loaded and checked."""
        client, session = self.client, self.session
        started = time.perf_counter()
        await client.start()
        await client.request("initialize", session["initialize"])
        client.notify("initialized", {})
        for item in session["open"]:
            text = (self.root / item["file"]).read_text(encoding="utf-8")
            self.versions[item["uri"]] = 1
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": item["uri"], "languageId": item["languageId"], "version": 1,
                "text": text}})
        await client.wait_for(_is_ready)
        # Once the workspace is loaded rust-analyzer runs cargo check (checkOnSave): the
        # crate's errors get published (and, through the proxy, enriched), as when someone
        # opens the project in an editor.
        await client.wait_for(_checked(session["open"][0]["uri"]))
        self.result.ready_s = time.perf_counter() - started
        self._sample()

    def _sample(self) -> None:
        if self.rss_of == "server":
            self.result.rss_kib.append(rss_kib(self.client.pid))

    async def step(self, index: int) -> None:
        """The round's message `index` (a request: timed until its response is read)."""
        message = self.session["round"][index]
        if index == 0:
            self._latencies, self._round_s = [], 0.0
        started = time.perf_counter()
        params = message["params"]
        if message["method"] == "textDocument/didChange":
            uri = params["textDocument"]["uri"]
            self.versions[uri] += 1
            params = {**params, "textDocument": {"uri": uri, "version": self.versions[uri]}}
        if message["kind"] == "request":
            _, seconds = await self.client.request(message["method"], params)
            self._latencies.append(seconds)
        else:
            self.client.notify(message["method"], params)
        self._round_s += time.perf_counter() - started
        if index == len(self.session["round"]) - 1:
            self.result.rounds_s.append(self._round_s)
            self.result.latencies.append(self._latencies)
            self._sample()

    async def stop(self) -> Replay:
        status = await self.client.stop()
        if status != 0:
            raise RuntimeError(f"{self.result.label}: the server exited with status {status}")
        return self.result


async def replay(label: str, command: list[str], root: Path, messages: int | None,
                 rounds: int, rss_of: str) -> Replay:
    """Drives COMMAND through the session alone: set-up once, then ROUNDS rounds."""
    driver = Driver(label, command, root, messages, rss_of)
    try:
        await driver.start()
        for _ in range(rounds):
            for index in range(len(driver.session["round"])):
                await driver.step(index)
    except BaseException:
        await driver.client.stop()
        raise
    return await driver.stop()


@dataclass
class SessionResult:
    direct: list[Replay]
    proxy: list[Replay]
    skip: int  # warm-up rounds left out of the statistics
    methods: list[str] = field(default_factory=list)  # of the requests of a round, in order

    def _rounds(self, replays: list[Replay]) -> list[list[float]]:
        return [r for replay in replays for r in replay.latencies[self.skip:]]

    def summary(self) -> dict[str, Any]:
        direct = self._rounds(self.direct)
        proxy = self._rounds(self.proxy)
        total_direct = sum(s for r in self.direct for s in r.rounds_s[self.skip:])
        total_proxy = sum(s for r in self.proxy for s in r.rounds_s[self.skip:])
        per_request = len(direct[0])
        # The i-th request of every round is the same request: compare medians per request,
        # which keeps rust-analyzer's own jitter out of the difference.
        diffs = [statistics.median(r[i] for r in proxy) - statistics.median(r[i] for r in direct)
                 for i in range(per_request)]
        methods = self.methods
        slowest = sorted(range(per_request), key=lambda i: diffs[i], reverse=True)[:5]
        all_direct = [s for r in direct for s in r]
        all_proxy = [s for r in proxy for s in r]
        return {
            "requests_per_round": per_request,
            "rounds_counted": len(direct) // max(1, len(self.direct)),
            "sessions": len(self.direct),
            "total_direct_s": total_direct,
            "total_proxy_s": total_proxy,
            "total_ratio": total_proxy / total_direct if total_direct else float("nan"),
            "latency_direct_median_ms": statistics.median(all_direct) * 1e3,
            "latency_proxy_median_ms": statistics.median(all_proxy) * 1e3,
            "latency_direct_p95_ms": percentile(all_direct, 0.95) * 1e3,
            "latency_proxy_p95_ms": percentile(all_proxy, 0.95) * 1e3,
            "overhead_median_ms": statistics.median(diffs) * 1e3,
            "overhead_p95_ms": percentile(diffs, 0.95) * 1e3,
            "largest_overheads": [
                {"index": i, "method": methods[i] if i < len(methods) else "?",
                 "direct_ms": statistics.median(r[i] for r in direct) * 1e3,
                 "proxy_ms": statistics.median(r[i] for r in proxy) * 1e3}
                for i in slowest],
            "ready_direct_s": statistics.median(r.ready_s for r in self.direct),
            "ready_proxy_s": statistics.median(r.ready_s for r in self.proxy),
        }


async def bench_sessions(ra: str, workdir: Path, sessions: int, rounds: int,
                         messages: int | None) -> SessionResult:
    """Each session pair runs side by side, request by request interleaved (which side goes
    first alternates), so a change of load on the machine hits both sides alike."""
    direct: list[Replay] = []
    proxy: list[Replay] = []
    for _ in range(sessions):
        sides = [Driver("direct", [ra], crate_copy(workdir / "direct"), messages, "server"),
                 Driver("proxy", [str(BORROWLENS), "--rust-analyzer", ra],
                        crate_copy(workdir / "proxy"), messages, "server")]
        try:
            for side in sides:
                await side.start()
                _progress(f"  {side.result.label} session: ready in "
                          f"{side.result.ready_s:.1f} s")
            count = len(sides[0].session["round"])
            for _ in range(rounds):
                for index in range(count):
                    for side in (sides if index % 2 == 0 else sides[::-1]):
                        await side.step(index)
        except BaseException:
            for side in sides:
                await side.client.stop()
            raise
        direct.append(await sides[0].stop())
        proxy.append(await sides[1].stop())
    session = load_session(workdir, messages)
    methods = [m["method"] for m in session["round"] if m["kind"] == "request"]
    return SessionResult(direct, proxy, skip=1 if rounds > 1 else 0, methods=methods)


async def bench_memory(ra: str, workdir: Path, rounds: int,
                       messages: int | None) -> dict[str, Any]:
    root = crate_copy(workdir / "memory")
    session = load_session(root, messages)
    run = await replay("proxy", [str(BORROWLENS), "--rust-analyzer", ra], root, messages,
                       rounds, "server")
    rss = run.rss_kib
    half = rss[len(rss) // 2:]
    return {
        "rounds": rounds,
        "messages_per_round": len(session["round"]),
        "rss_start_kib": rss[0],
        "rss_after_first_round_kib": rss[1] if len(rss) > 1 else rss[0],
        "rss_end_kib": rss[-1],
        "rss_max_kib": max(rss),
        # growth over the second half of the session, per round: ~0 when memory is flat
        "growth_second_half_kib_per_round": (half[-1] - half[0]) / max(1, len(half) - 1),
        "rss_series_kib": rss,
    }


# --- start-up ---------------------------------------------------------------------------


def _time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


async def _time_initialize(command: list[str], workdir: Path) -> float:
    root = workdir / "async-service"
    session = load_session(root, 0)
    client = Client(command, server_env(), cwd=str(root))
    started = time.perf_counter()
    await client.start()
    try:
        await client.request("initialize", session["initialize"])
        return time.perf_counter() - started
    finally:
        await client.stop()


async def bench_startup(ra: str, workdir: Path, repeat: int) -> dict[str, Any]:
    crate_copy(workdir)
    version_ra: list[float] = []
    version_bl: list[float] = []
    init_ra: list[float] = []
    init_bl: list[float] = []
    for _ in range(repeat):
        version_ra.append(_time_command([ra, "--version"]))
        version_bl.append(_time_command([str(BORROWLENS), "--version"]))
        init_ra.append(await _time_initialize([ra], workdir))
        init_bl.append(await _time_initialize([str(BORROWLENS), "--rust-analyzer", ra],
                                              workdir))
    m = statistics.median
    return {
        "repeat": repeat,
        "version_rust_analyzer_ms": m(version_ra) * 1e3,
        "version_borrowlens_ms": m(version_bl) * 1e3,
        "version_ratio": m(version_bl) / m(version_ra),
        "initialize_direct_ms": m(init_ra) * 1e3,
        "initialize_proxy_ms": m(init_bl) * 1e3,
        "initialize_ratio": m(init_bl) / m(init_ra),
        "initialize_added_ms": (m(init_bl) - m(init_ra)) * 1e3,
    }


# --- enrichment -------------------------------------------------------------------------


UNRECOGNISED = [
    (1, "E0308", "rustc", "mismatched types\nexpected `u32`, found `&str`"),
    (1, "E0425", "rustc", "cannot find value `x` in this scope\nnot found in this scope"),
    (1, "E0599", "rustc", "no method named `frob` found for struct `Vec<u8>` in the current "
                          "scope"),
    (2, None, "rustc", "unused variable: `guard`\n`#[warn(unused_variables)]` on by default"),
    (1, "E0433", "rust-analyzer", "failed to resolve: use of undeclared crate or module"),
    (3, None, "rust-analyzer", "variable does not need to be mutable"),
]


def _fixture_diagnostics() -> Iterator[tuple[str, dict[str, Any]]]:
    for recorded in sorted(FIXTURES.glob("*/*/rustc.json")):
        for line in recorded.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield from to_lsp(json.loads(line)["message"], FIXTURES)


def enrichment_batch(size: int) -> list[dict[str, Any]]:
    """publishDiagnostics params holding SIZE diagnostics in all: the fixtures' errors as
    rust-analyzer publishes them (hint copies included) for half, unrecognised errors,
    warnings and rust-analyzer's own diagnostics in the same files for the other half."""
    per_uri: dict[str, list[dict[str, Any]]] = {}
    recognised = size // 2
    taken = 0
    for uri, diagnostic in _fixture_diagnostics():
        if taken >= recognised:
            break
        per_uri.setdefault(uri, []).append(diagnostic)
        taken += 1
    uris = list(per_uri)
    for index in range(size - taken):
        severity, code, source, message = UNRECOGNISED[index % len(UNRECOGNISED)]
        made: dict[str, Any] = {
            "range": {"start": {"line": index % 5, "character": 0},
                      "end": {"line": index % 5, "character": 3}},
            "severity": severity, "source": source, "message": message}
        if code:
            made["code"] = code
        per_uri[uris[index % len(uris)]].append(made)
    return [{"uri": uri, "diagnostics": diagnostics} for uri, diagnostics in per_uri.items()]


def bench_enrichment(size: int, repeat: int) -> dict[str, Any]:
    batch = enrichment_batch(size)
    session = Session()
    for params in batch:
        local = Path(uri_to_path(params["uri"]))
        if local.is_file():
            session.open({"textDocument": {"uri": params["uri"], "languageId": "rust",
                                           "version": 1,
                                           "text": local.read_text(encoding="utf-8")}})
    frames = [encode({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                      "params": params}) for params in batch]
    # The first batch of a process pays one-time costs (tree-sitter parsers and queries are
    # built on first use): the proxy pays them on the first publishDiagnostics it enriches.
    started = time.perf_counter()
    for params in batch:
        session.enrich(params)
    first_s = time.perf_counter() - started
    enriched = 0
    enrich_s: list[float] = []
    baseline_s: list[float] = []
    for _ in range(repeat):
        # Baseline: what forwarding a frame the proxy rewrites costs anyway (decode +
        # re-encode), with no borrowlens logic.
        started = time.perf_counter()
        for frame in frames:
            body = frame.split(b"\r\n\r\n", 1)[1]
            encode(json.loads(body))
        baseline_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        enriched = 0
        for frame in frames:
            message = json.loads(frame.split(b"\r\n\r\n", 1)[1])
            result = session.enrich(message["params"])
            if result is not None:
                encode({**message, "params": result})
                enriched += sum("borrowlens" in (d.get("data") or {})
                                for d in result["diagnostics"])
        enrich_s.append(time.perf_counter() - started)
    m = statistics.median
    return {
        "diagnostics": sum(len(p["diagnostics"]) for p in batch),
        "files": len(batch),
        "enriched": enriched,
        "repeat": repeat,
        "enrich_first_batch_ms": first_s * 1e3,
        "enrich_ms_per_batch": m(enrich_s) * 1e3,
        "enrich_ms_per_diagnostic": m(enrich_s) * 1e3 / size,
        "passthrough_ms_per_batch": m(baseline_s) * 1e3,
        "ratio_to_passthrough": m(enrich_s) / m(baseline_s),
    }


# --- driver -----------------------------------------------------------------------------


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def report(results: dict[str, Any]) -> str:
    out = [f"rust-analyzer: {results['rust_analyzer']}  ({results['cores']} cores)", ""]
    s = results.get("sessions")
    out += [] if s is None else [
        "session replay (bench/sessions/async-service.json)",
        f"  {s['requests_per_round']} requests per round, {s['rounds_counted']} rounds x "
        f"{s['sessions']} sessions per side counted",
        f"  total time     direct {s['total_direct_s']:.2f} s   proxy "
        f"{s['total_proxy_s']:.2f} s   ratio {s['total_ratio']:.3f}",
        f"  latency median direct {s['latency_direct_median_ms']:.2f} ms   proxy "
        f"{s['latency_proxy_median_ms']:.2f} ms",
        f"  latency p95    direct {s['latency_direct_p95_ms']:.2f} ms   proxy "
        f"{s['latency_proxy_p95_ms']:.2f} ms",
        f"  overhead per request: median {s['overhead_median_ms']:.3f} ms, "
        f"p95 {s['overhead_p95_ms']:.3f} ms",
        "  largest differences: " + ", ".join(
            f"{o['method'].removeprefix('textDocument/')} {o['direct_ms']:.1f}→"
            f"{o['proxy_ms']:.1f} ms" for o in s["largest_overheads"][:3]),
        f"  ready (loaded + first check published): direct {s['ready_direct_s']:.1f} s, "
        f"proxy {s['ready_proxy_s']:.1f} s",
        ""]
    e = results.get("enrichment")
    out += [] if e is None else [
        f"publishDiagnostics enrichment ({e['diagnostics']} diagnostics in {e['files']} "
        f"files, {e['enriched']} enriched)",
        f"  Session.enrich {e['enrich_ms_per_batch']:.1f} ms per batch "
        f"({e['enrich_ms_per_diagnostic']:.3f} ms per diagnostic); decode+encode only "
        f"{e['passthrough_ms_per_batch']:.2f} ms; ratio {e['ratio_to_passthrough']:.0f}",
        f"  first batch of the process (cold): {e['enrich_first_batch_ms']:.0f} ms",
        ""]
    st = results.get("startup")
    out += [] if st is None else [
        f"start-up (median of {st['repeat']})",
        f"  --version      rust-analyzer {st['version_rust_analyzer_ms']:.0f} ms   borrowlens "
        f"{st['version_borrowlens_ms']:.0f} ms   ratio {st['version_ratio']:.2f}",
        f"  initialize     direct {st['initialize_direct_ms']:.0f} ms   proxy "
        f"{st['initialize_proxy_ms']:.0f} ms   ratio {st['initialize_ratio']:.2f} "
        f"(+{st['initialize_added_ms']:.0f} ms)",
        ""]
    out += cli_check.report(results.get("check"))
    out += verification.report(results.get("verification"))
    mem = results.get("memory")
    out += [] if mem is None else [
        f"proxy memory over {mem['rounds']} rounds ({mem['messages_per_round']} messages each)",
        f"  RSS start {mem['rss_start_kib'] / 1024:.1f} MiB, after round 1 "
        f"{mem['rss_after_first_round_kib'] / 1024:.1f} MiB, end "
        f"{mem['rss_end_kib'] / 1024:.1f} MiB, max {mem['rss_max_kib'] / 1024:.1f} MiB; "
        f"second half {mem['growth_second_half_kib_per_round']:+.1f} KiB/round",
    ]
    return "\n".join(out) + "\n"


def rust_analyzer(explicit: str | None) -> str:
    found = find_rust_analyzer(explicit or os.environ.get("BORROWLENS_TEST_RUST_ANALYZER"))
    if found.path is None:
        tried = "; ".join(f"{c.path}: {why}" for c, why in found.tried) or "no candidates"
        raise SystemExit(f"no working rust-analyzer ({tried}); "
                         "scripts/ensure-rust-analyzer.sh builds one")
    return found.path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rust-analyzer", metavar="PATH",
                        help="rust-analyzer to compare against (default: as borrowlens finds "
                             "it, $BORROWLENS_TEST_RUST_ANALYZER first)")
    parser.add_argument("--sessions", type=int, default=2,
                        help="sessions per side (A-B-B-A order; default 2)")
    parser.add_argument("--rounds", type=int, default=6,
                        help="rounds per session, the first not counted (default 6)")
    parser.add_argument("--messages", type=int, default=None,
                        help="only the first N messages of each round")
    parser.add_argument("--memory-rounds", type=int, default=40,
                        help="rounds of the long session memory is sampled over (default 40)")
    parser.add_argument("--batch", type=int, default=200,
                        help="diagnostics per enrichment batch (default 200)")
    parser.add_argument("--repeat", type=int, default=20,
                        help="repetitions of the enrichment batch (default 20)")
    parser.add_argument("--startup-repeat", type=int, default=7)
    parser.add_argument("--check-repeat", type=int, default=10,
                        help="runs of `borrowlens check` and of cargo's (default 10)")
    parser.add_argument("--verify-repeat", type=int, default=3,
                        help="repetitions of the fix verification timing (default 3)")
    parser.add_argument("--verify-members", type=int, default=20,
                        help="crates in the fix verification's many-crate workspace "
                             "(default 20)")
    parser.add_argument("--smoke", action="store_true",
                        help="every part once with tiny counts (for the test suite)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results here")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sessions, args.rounds, args.messages = 1, 1, args.messages or 6
        args.memory_rounds, args.batch, args.repeat, args.startup_repeat = 2, 20, 1, 1
        args.verify_repeat, args.verify_members, args.check_repeat = 1, 3, 1
    ra = rust_analyzer(args.rust_analyzer)
    results: dict[str, Any] = {"rust_analyzer": ra, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="borrowlens-bench-") as tmp:
        workdir = Path(tmp)
        parts: list[tuple[str, Any]] = [
            ("enrichment", lambda: bench_enrichment(args.batch, args.repeat)),
            ("startup", lambda: asyncio.run(bench_startup(ra, workdir, args.startup_repeat))),
            ("check", lambda: cli_check.bench_check(args.check_repeat)),
            ("sessions", lambda: asyncio.run(bench_sessions(
                ra, workdir, args.sessions, args.rounds, args.messages)).summary()),
            ("memory", lambda: asyncio.run(bench_memory(ra, workdir, args.memory_rounds,
                                                        args.messages))),
            ("verification", lambda: verification.bench_all(args.verify_repeat,
                                                            args.verify_members)),
        ]
        failed = False
        for name, part in parts:
            _progress(f"{name}…")
            try:
                results[name] = part()
            except Exception as error:  # report the other parts all the same
                failed = True
                _progress(f"{name} failed: {error!r}")
    sys.stdout.write(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
