"""What proving fixes costs (server/verify.py), measured against a plain `cargo check` of the
same crate in the same run (see bench/README.md).

Two workspaces: examples/async-service (tokio), and a generated workspace of many small
std-only crates whose last member depends on all the others and holds the error. Each is put
at a fixed place in the cache so that its shadow build directory (keyed by the workspace's
path) persists between runs, as it does for a user: dependencies are built once. The first
shadow check of a run is reported apart (cold when the shadow is new). Then, `repeat` times:
a plain `cargo check` after touching every source (cargo re-checks the crates, as the shadow's
fresh copies make it), and the verification the editor would run for it — one baseline check
of the shadow copy, and one check per offered fix.
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


def _plain_check(program: str, root: Path, manifest: Path,
                 target: Path) -> tuple[float, list[Any]]:
    """Seconds for `cargo check` of the package after every source of its workspace was
    touched (as the shadow copy's are), and its errors."""
    now = time.time()
    for source in root.rglob("*.rs"):
        os.utime(source, (now, now))
    started = time.perf_counter()
    finished = cargo.run(cargo.Check(program, manifest=manifest, keep_going=True,
                                     target_dir=target))
    elapsed = time.perf_counter() - started
    return elapsed, [d for d in map(from_rustc, finished.messages)
                     if d.level == "error" and d.spans]


def _fresh(dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def example_crate() -> Path:
    """examples/async-service at its fixed place in the cache; its manifest."""
    crate = _fresh(cache_dir() / "bench-verify" / "async-service")
    shutil.copytree(EXAMPLE, crate, ignore=shutil.ignore_patterns("target"),
                    copy_function=shutil.copy)
    return crate / "Cargo.toml"


def many_crates(members: int) -> Path:
    """A workspace of MEMBERS std-only crates, each with a few hundred lines, the last one
    depending on all the others and holding an error borrowlens fixes (an async fn recursing
    through another); the last member's manifest."""
    root = _fresh(cache_dir() / "bench-verify" / f"workspace-{members}")
    names = [f"member{i}" for i in range(members)]
    for index, name in enumerate(names):
        (root / name / "src").mkdir(parents=True)
        deps = "".join(f'{n} = {{ path = "../{n}" }}\n' for n in names[:-1]) \
            if index == members - 1 else ""
        (root / name / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\n'
            f"publish = false\n\n[dependencies]\n{deps}")
        body = "".join(f"pub fn f{k}(x: u64) -> u64 {{ x.wrapping_mul({k}).rotate_left(3) }}\n"
                       for k in range(300))
        (root / name / "src" / "lib.rs").write_text(body)
    (root / names[-1] / "src" / "lib.rs").write_text(
        "pub async fn is_even(n: u32) -> bool {\n    if n == 0 {\n        return true;\n    }\n"
        "    is_odd(n - 1).await\n}\n\npub async fn is_odd(n: u32) -> bool {\n"
        "    if n == 0 {\n        return false;\n    }\n    is_even(n - 1).await\n}\n")
    members_list = ", ".join(f'"{n}"' for n in names)
    (root / "Cargo.toml").write_text(f'[workspace]\nresolver = "2"\nmembers = [{members_list}]\n')
    return root / names[-1] / "Cargo.toml"


def bench_verification(repeat: int, manifest: Path | None = None) -> dict[str, Any]:
    """The timings for the package of MANIFEST (default: the example crate)."""
    program = cargo.find_cargo()
    if program is None:
        raise RuntimeError("cargo was not found")
    manifest = manifest or example_crate()
    workspace = cargo.locate_workspace(manifest, program)
    plain_target = cache_dir() / "bench-target"
    _, errors = _plain_check(program, workspace.root, manifest, plain_target)  # warm-up
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
        plain_s.append(_plain_check(program, workspace.root, manifest, plain_target)[0])
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
        "crate": workspace.root.name,
        "files": sum(1 for _ in workspace.root.rglob("*.rs")),
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


def bench_all(repeat: int, members: int) -> dict[str, Any]:
    """The example crate, and a workspace of MEMBERS crates."""
    return {"example": bench_verification(repeat),
            "workspace": bench_verification(repeat, many_crates(members))}


def report(results: dict[str, Any] | None) -> list[str]:
    """The part's lines in the benchmark's report."""
    if results is None:
        return []
    return [line for v in results.values() for line in _lines(v)]


def _lines(v: dict[str, Any]) -> list[str]:
    return [
        f"fix verification ({v['crate']}: .rs files {v['files']}, errors {v['errors']}, "
        f"fixes offered {v['fixes']}, verified {v['verified']}; median of {v['repeat']})",
        f"  plain cargo check after an edit {v['plain_check_s']:.2f} s",
        f"  one fix proven  {v['per_fix_s']:.2f} s   ratio {v['per_fix_ratio']:.2f}",
        f"  every fix + the shadow's baseline {v['all_fixes_s']:.2f} s   ratio "
        f"{v['all_fixes_ratio']:.2f}",
        f"  first shadow check of the run: {v['first_shadow_check_s']:.1f} s",
        ""]
