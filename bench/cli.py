"""What `borrowlens check` costs over the `cargo check --message-format=json` it runs, on the
example crate, both warm (see bench/README.md, issue 15).

    .venv/bin/python -m bench.cli [--repeat N]

The two commands alternate run by run (cargo, borrowlens, cargo, …) on one copy of
examples/async-service with one target directory in borrowlens' cache, after a first run of
each that is not counted (it builds the dependencies and fills the compiled-template cache).
The example has errors, so every cargo run checks the crate again (cargo caches only
successful checks): what is compared is a real check each time. Reported: the median and
minimum wall-clock time of each, their difference and ratio, and the median CPU time (user +
system, the command's and its children's: cargo, rustc), which a busy machine disturbs less
than the wall clock.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from borrowlens.server.discovery import cache_dir

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "async-service"
BORROWLENS = Path(sys.executable).parent / "borrowlens"


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one run."""
    cpu = _cpu()
    started = time.perf_counter()
    # The example's errors make both exit non-zero (101); anything else is a broken run.
    done = subprocess.run(command, env=env, capture_output=True, check=False, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 101):
        raise RuntimeError(f"{command[:2]} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-500:]}")
    return elapsed, _cpu() - cpu


def bench_check(repeat: int) -> dict[str, Any]:
    cargo = shutil.which(os.environ.get("CARGO") or "cargo")
    if cargo is None:
        raise RuntimeError("cargo is not on PATH")
    env = {**os.environ, "CARGO_TARGET_DIR": str(cache_dir() / "bench-target"),
           "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory(prefix="borrowlens-bench-cli-") as tmp:
        crate = Path(tmp) / "async-service"
        shutil.copytree(EXAMPLE, crate, ignore=shutil.ignore_patterns("target"))
        manifest = str(crate / "Cargo.toml")
        plain = [cargo, "check", "--message-format=json", "--manifest-path", manifest]
        ours = [str(BORROWLENS), "check", str(crate)]
        _timed(plain, env)
        _timed(ours, env)
        cargo_runs: list[tuple[float, float]] = []
        our_runs: list[tuple[float, float]] = []
        for _ in range(repeat):
            cargo_runs.append(_timed(plain, env))
            our_runs.append(_timed(ours, env))
    m = statistics.median
    cargo_s, ours_s = [w for w, _ in cargo_runs], [w for w, _ in our_runs]
    return {
        "repeat": repeat,
        "cargo_median_ms": m(cargo_s) * 1e3,
        "cargo_min_ms": min(cargo_s) * 1e3,
        "borrowlens_median_ms": m(ours_s) * 1e3,
        "borrowlens_min_ms": min(ours_s) * 1e3,
        "added_median_ms": (m(ours_s) - m(cargo_s)) * 1e3,
        "ratio": m(ours_s) / m(cargo_s),
        "cargo_cpu_ms": m(c for _, c in cargo_runs) * 1e3,
        "borrowlens_cpu_ms": m(c for _, c in our_runs) * 1e3,
    }


def report(result: dict[str, Any] | None) -> list[str]:
    if result is None:
        return []
    return [
        f"borrowlens check vs cargo check --message-format=json (async-service, warm, "
        f"alternating, {result['repeat']} each)",
        f"  cargo       median {result['cargo_median_ms']:.0f} ms (min "
        f"{result['cargo_min_ms']:.0f})",
        f"  borrowlens  median {result['borrowlens_median_ms']:.0f} ms (min "
        f"{result['borrowlens_min_ms']:.0f})   +{result['added_median_ms']:.0f} ms   ratio "
        f"{result['ratio']:.2f}",
        f"  CPU (median, with children)  cargo {result['cargo_cpu_ms']:.0f} ms   borrowlens "
        f"{result['borrowlens_cpu_ms']:.0f} ms   +"
        f"{result['borrowlens_cpu_ms'] - result['cargo_cpu_ms']:.0f} ms",
        ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each (default 10)")
    args = parser.parse_args(argv)
    sys.stdout.write("\n".join(report(bench_check(args.repeat))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
