"""The benchmark harness (bench/) runs end to end in its smoke mode, so it cannot rot between
the times someone runs it by hand. No timing is asserted: only that every part ran against the
real rust-analyzer, directly and through the proxy, and produced its numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.cli import ROOT


def rust_analyzer() -> str:
    """The rust-analyzer scripts/test hands over, else the cached build (set up if needed)."""
    path = os.environ.get("BORROWLENS_TEST_RUST_ANALYZER")
    if not path:
        proc = subprocess.run([str(ROOT / "scripts" / "ensure-rust-analyzer.sh")],
                              capture_output=True, text=True, check=False, timeout=3600)
        assert proc.returncode == 0, f"no rust-analyzer could be set up:\n{proc.stderr}"
        path = proc.stdout.strip().splitlines()[-1]
    assert Path(path).is_file(), f"rust-analyzer {path} does not exist"
    return path


def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--messages", "4",
         "--rust-analyzer", rust_analyzer(), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    sessions = results["sessions"]
    assert sessions["requests_per_round"] == 4
    assert sessions["total_direct_s"] > 0 and sessions["total_proxy_s"] > 0
    enrichment = results["enrichment"]
    assert enrichment["diagnostics"] == 20
    # The batch mixes recognised fixture errors with unrecognised ones.
    assert 0 < enrichment["enriched"] < enrichment["diagnostics"]
    assert results["startup"]["initialize_proxy_ms"] > 0
    memory = results["memory"]
    assert len(memory["rss_series_kib"]) == memory["rounds"] + 1
    assert all(kib > 0 for kib in memory["rss_series_kib"])
    assert "overhead per request" in proc.stdout
    for verification in results["verification"].values():
        assert verification["fixes"] > 0 and verification["plain_check_s"] > 0
    assert "fix verification" in proc.stdout


def test_bench_cases_smoke(tmp_path: Path) -> None:
    out = tmp_path / "cases.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cases", "--repeat", "1", "--sizes", "200",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    assert set(results["forwarding"]) == {
        "small request", "100 KB response", "5 MB response",
        "queued behind a publish, first", "queued behind a publish"}
    rows = results["scaling"]
    assert [(r["diagnostics"], r["files"]) for r in rows] == [(200, 1), (200, 50)]
    # The fixture's error is recognised in every file it was copied to.
    assert rows[0]["recognised"] >= 1
    # Every column is measured: the carried-over edit and the all-changed one too.
    assert all(r[k] > 0 for r in rows for k in ("cold_ms", "after_edit_ms", "changed_ms"))
    assert "enrichment scaling" in proc.stdout
