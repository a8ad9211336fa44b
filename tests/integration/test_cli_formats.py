"""`borrowlens check --format github|sarif` against the real cargo: the output for the example
crate (golden files, `BORROWLENS_UPDATE_GOLDEN=1` rewrites them), the step summary, paths
relative to the checkout, and errors borrowlens does not recognise."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from borrowlens.analyses.families.registry import all_families
from borrowlens.server import __version__
from support import sarif
from support.cli import ROOT, run
from support.fixtures import CACHE, FIXTURES

EXAMPLE = ROOT / "examples" / "async-service"
GOLDEN = ROOT / "tests" / "golden"


def ci_env(**extra: str) -> dict[str, str]:
    """The test's environment without the GitHub Actions variables of a real CI run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    return {**env, "NO_COLOR": "1", "CARGO_TARGET_DIR": str(CACHE / "examples-target"),
            **extra}


def matches_golden(actual: str, name: str) -> bool:
    golden = GOLDEN / name
    if os.environ.get("BORROWLENS_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    return actual == golden.read_text(encoding="utf-8")


def broken_crate(tmp_path: Path) -> Path:
    """A crate with a warning and an error borrowlens has no family for."""
    crate = tmp_path / "broken"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "broken"\nversion = "0.1.0"\nedition = "2021"\n')
    # (Not an unresolved name: rustc stops before its lints then, and no warning comes.)
    (crate / "src" / "lib.rs").write_text(
        "pub fn answer() -> u32 {\n    let unused = 1;\n    2\n}\n\n"
        "pub fn size(v: Vec<u32>) -> u32 {\n    let n: u32 = v.len();\n    n\n}\n")
    return crate


# --- github -----------------------------------------------------------------------------------

def test_github_annotations_for_the_example_match_golden_output(tmp_path: Path) -> None:
    result = run("check", str(EXAMPLE), "--format", "github", env=ci_env())
    assert result.returncode == 101, result.stderr
    assert matches_golden(result.stdout, "check-async-service.github.txt")
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("::error file=src/main.rs,") for line in lines)
    assert "borrowlens: 3 errors, 3 explained" in result.stderr


def test_github_step_summary_gets_the_full_explanations(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = run("check", str(EXAMPLE), "--format", "github",
                 env=ci_env(GITHUB_STEP_SUMMARY=str(summary)))
    assert result.returncode == 101, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## borrowlens check\n\nborrowlens: 3 errors")
    records = [json.loads(line) for line in
               run("check", str(EXAMPLE), "--format", "json", env=ci_env()).stdout.splitlines()]
    for record in records:
        section = (f"## `src/main.rs:{record['line']}:{record['column']}`\n\n"
                   f"{record['explanation']}")
        assert section in text


def test_github_paths_are_relative_to_the_checkout() -> None:
    result = run("check", str(EXAMPLE), "--format", "github",
                 env=ci_env(GITHUB_WORKSPACE=str(ROOT)))
    assert result.returncode == 101, result.stderr
    assert result.stdout.startswith("::error file=examples/async-service/src/main.rs,line=57,")


def test_github_unrecognised_errors_and_warnings_are_annotated(tmp_path: Path) -> None:
    crate = broken_crate(tmp_path)
    summary = tmp_path / "summary.md"
    result = run("check", str(crate), "--format", "github",
                 env=ci_env(CARGO_TARGET_DIR=str(tmp_path / "target"),
                            GITHUB_STEP_SUMMARY=str(summary)))
    assert result.returncode == 101, result.stderr
    lines = result.stdout.splitlines()
    assert ("::error file=src/lib.rs,line=7,col=18,endLine=7,endColumn=24,"
            "title=rustc error E0308::mismatched types") in lines
    assert ("::warning file=src/lib.rs,line=2,col=9,endLine=2,endColumn=14,"
            "title=rustc warning unused_variables::unused variable: `unused`") in lines
    assert not summary.exists()  # nothing recognised, nothing to explain


# --- sarif ------------------------------------------------------------------------------------

def sarif_of(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run("check", *args, "--format", "sarif", env=env or ci_env())
    assert result.returncode == 101, result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    assert not sarif.problems(log), "\n".join(sarif.problems(log))
    return log


def test_sarif_for_the_example_is_valid_and_matches_golden_output() -> None:
    log = sarif_of(str(EXAMPLE))
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    # The rules' help is each family's generic explanation, which its own snapshot holds;
    # the golden file keeps the rest (a change of prose shows up in one place).
    for rule in driver["rules"][:len(all_families())]:
        generic = FIXTURES / rule["id"] / "generic.full.md"
        assert rule["help"]["markdown"] == generic.read_text(encoding="utf-8").rstrip("\n")
        assert rule["help"]["text"].startswith(f"borrowlens: {rule['shortDescription']['text']}")
        rule["help"] = "<the generic explanation>"
    assert driver["version"] == __version__
    driver["version"] = driver["semanticVersion"] = "<version>"
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == EXAMPLE.resolve().as_uri() + "/"
    run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///$ROOT/"
    text = re.sub(r"file://\S*/registry/src/[^/]+/", "$CARGO_REGISTRY/",
                  json.dumps(log, indent=2, ensure_ascii=False) + "\n")
    assert matches_golden(text, "check-async-service.sarif.json")
    assert [r["ruleId"] for r in run_["results"]] == [
        "send-rc-across-await", "hrtb-not-general-enough", "hrtb-not-general-enough"]
    assert "helpUri" not in driver["rules"][0] and "informationUri" not in driver


def test_sarif_unrecognised_errors_and_warnings_name_rustc_rules(tmp_path: Path) -> None:
    log = sarif_of(str(broken_crate(tmp_path)),
                   env=ci_env(CARGO_TARGET_DIR=str(tmp_path / "target")))
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    found = {r["ruleId"]: r for r in run_["results"]}
    assert set(found) == {"E0308", "unused_variables"}
    assert found["E0308"]["level"] == "error"
    assert found["E0308"]["message"]["text"] == "mismatched types"
    assert found["unused_variables"]["level"] == "warning"
    for result in found.values():
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "src/lib.rs", "uriBaseId": "%SRCROOT%"}
    assert rules[found["E0308"]["ruleIndex"]]["helpUri"] == (
        "https://doc.rust-lang.org/error_codes/E0308.html")


def test_sarif_links_come_from_the_docs_base() -> None:
    base = "https://example.org/borrowlens/blob/main"
    log = sarif_of(str(EXAMPLE), "--docs-base", base,
                   env=ci_env(GITHUB_WORKSPACE=str(ROOT)))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == f"{base}/README.md"
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{base}/docs/families/{rule['id']}.md"
        assert (ROOT / "docs" / "families" / f"{rule['id']}.md").is_file()
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "examples/async-service/src/main.rs"
    from_env = sarif_of(str(EXAMPLE), env=ci_env(BORROWLENS_DOCS_BASE=base + "/"))
    assert from_env["runs"][0]["tool"]["driver"]["rules"] == driver["rules"]


def test_sarif_docs_base_must_be_absolute() -> None:
    result = run("check", str(EXAMPLE), "--format", "sarif", "--docs-base", "docs/",
                 env=ci_env())
    assert result.returncode == 2
    assert "must be an absolute URL" in result.stderr and result.stdout == ""
