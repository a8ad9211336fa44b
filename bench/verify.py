"""What proving fixes costs (server/verify.py), measured against a plain `cargo check` of the
same crate in the same run (see bench/README.md).

The crate is examples/async-service, copied to a fixed place in the cache so that its shadow
build directory (keyed by the workspace's path) persists between runs, as it does for a user:
dependencies are built once. The first shadow check of a run is reported apart (cold when
the shadow is new). Then, `repeat` times: a plain `cargo check` after touching the sources
(so cargo re-checks the crate, as after an edit), and the verification the editor would run
for it — one baseline check of the shadow copy, and one check per offered fix.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.server import cargo, verify
from borrowlens.server.discovery import cache_dir
from borrowlens.server.disk import DiskSources

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "async-service"


def _plain_check(program: str, crate: Path, target: Path) -> tuple[float, list[Any]]:
    """Seconds for `cargo check` of the crate after its sources were touched, and its errors."""
    now = time.time()
    for source in (crate / "src").rglob("*.rs"):
        os.utime(source, (now, now))
    started = time.perf_counter()
    finished = cargo.run(cargo.Check(program, manifest=crate / "Cargo.toml", keep_going=True,
                                     target_dir=target))
    elapsed = time.perf_counter() - started
    return elapsed, [d for d in map(from_rustc, finished.messages)
                     if d.level == "error" and d.spans]


def bench_verification(repeat: int) -> dict[str, Any]:
    program = cargo.find_cargo()
    if program is None:
        raise RuntimeError("cargo was not found")
    crate = cache_dir() / "bench-verify" / "async-service"
    if crate.exists():
        shutil.rmtree(crate)
    shutil.copytree(EXAMPLE, crate, ignore=shutil.ignore_patterns("target"),
                    copy_function=shutil.copy)
    workspace = cargo.locate_workspace(crate / "Cargo.toml", program)
    plain_target = cache_dir() / "bench-target"
    _, errors = _plain_check(program, crate, plain_target)  # warm-up
    sources = DiskSources(workspace.root)
    work = [(error, fix) for error in errors if (match := classify(error, sources)) is not None
            for fix in offered_fixes(match, sources)]
    started = time.perf_counter()
    verify.check_shadow(program, workspace.root, workspace.manifest, {})
    first_s = time.perf_counter() - started
    plain_s: list[float] = []
    baseline_s: list[float] = []
    fix_s: list[float] = []
    verified = 0
    for _ in range(repeat):
        plain_s.append(_plain_check(program, crate, plain_target)[0])
        started = time.perf_counter()
        before = verify.check_shadow(program, workspace.root, workspace.manifest, {}) or []
        baseline_s.append(time.perf_counter() - started)
        verified = 0
        for error, fix in work:
            started = time.perf_counter()
            verified += verify.proves(program, workspace, before, error, fix, sources.text)
            fix_s.append(time.perf_counter() - started)
    m = statistics.median
    plain = m(plain_s)
    per_fix = m(fix_s) if fix_s else 0.0
    total = m(baseline_s) + per_fix * len(work)
    return {
        "errors": len(errors),
        "fixes": len(work),
        "verified": verified,
        "repeat": repeat,
        "first_shadow_check_s": first_s,
        "plain_check_s": plain,
        "shadow_baseline_s": m(baseline_s),
        "per_fix_s": per_fix,
        "per_fix_ratio": per_fix / plain,
        "all_fixes_s": total,
        "all_fixes_ratio": total / plain,
    }


def report(v: dict[str, Any] | None) -> list[str]:
    """The part's lines in the benchmark's report."""
    if v is None:
        return []
    return [
        f"fix verification (examples/async-service: {v['errors']} errors, {v['fixes']} fixes "
        f"offered, {v['verified']} verified; median of {v['repeat']})",
        f"  plain cargo check after an edit {v['plain_check_s']:.2f} s",
        f"  one fix proven  {v['per_fix_s']:.2f} s   ratio {v['per_fix_ratio']:.2f}",
        f"  every fix + the shadow's baseline {v['all_fixes_s']:.2f} s   ratio "
        f"{v['all_fixes_ratio']:.2f}",
        f"  first shadow check of the run: {v['first_shadow_check_s']:.1f} s",
        ""]
