"""`borrowlens explain`: by code, by family id, from a pasted message; `--list`."""

from __future__ import annotations

import shutil
from pathlib import Path

from borrowlens.analyses.families.registry import all_families
from support.cli import ROOT, run


def test_explain_by_code_prints_the_four_parts() -> None:
    result = run("explain", "E0733")
    assert result.returncode == 0, result.stderr
    for heading in ("What the compiler is telling you", "Why", "The fix",
                    "The general rule", "Read more"):
        assert heading in result.stdout
    assert "Box::pin" in result.stdout


def test_explain_by_family_id_as_markdown() -> None:
    result = run("explain", "recursive-async", "--format", "markdown")
    assert result.returncode == 0
    assert result.stdout.startswith("**Recursive async fn needs boxing**")
    assert "### The general rule" in result.stdout


def test_explain_a_pasted_message_uses_its_names() -> None:
    pasted = """error[E0733]: recursion in an async fn requires boxing
 --> src/lib.rs:6:1
  |
6 | pub async fn walk(dir: &Dir) -> u64 {
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
7 |     walk(dir.child()).await
  |     ----------------------- recursive call here
"""
    result = run("explain", pasted)
    assert result.returncode == 0, result.stderr
    assert "`walk`" in result.stdout


def test_explain_unknown_code_points_to_rustc() -> None:
    result = run("explain", "E0001")
    assert result.returncode == 1
    assert "rustc --explain E0001" in result.stderr


def test_explain_list_names_every_family() -> None:
    result = run("explain", "--list")
    assert result.returncode == 0
    for family in all_families():
        assert family.id in result.stdout


def test_explain_without_argument_is_a_usage_error() -> None:
    result = run("explain")
    assert result.returncode == 2
    assert "explain needs" in result.stderr


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("borrowlens ")
    help_text = run("check", "--help")
    assert help_text.returncode == 0 and "Exit status" in help_text.stdout


def test_readme_lists_every_family() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- families:start -->\n", 1)[1].split("<!-- families:end -->", 1)[0]
    table = run("explain", "--list", "--format", "markdown").stdout
    assert block.strip() == table.strip(), (
        "README's families table is stale: run scripts/gen-docs")


def test_code_shared_by_families_leads_with_the_specific_one() -> None:
    result = run("explain", "E0499")
    assert result.returncode == 0
    # One explanation, the code's main family; the others of the code by name, not rendered
    # with empty facts.
    assert result.stdout.count("borrowlens: ") == 1
    assert "Conflicting borrows" in result.stdout.splitlines()[0]
    _, also = result.stdout.split("Also reported with this code:")
    assert "borrowlens explain rpit-overcapture-2024" in also
    assert "borrowlens explain signature-mut-lifetime" in also
    for code, lead in (("E0597", "Borrowed value does not live long enough"),
                       ("E0521", "Borrowed data escapes")):
        first = run("explain", code).stdout.splitlines()[0]
        assert lead in first, (code, first)


def test_explain_a_pasted_message_reads_the_crate_when_it_is_at_hand(tmp_path: Path) -> None:
    """The callee's signature is in another file than the pasted message quotes: found on
    disk from where `explain` runs, and not claimed without it."""
    crate = ROOT / "tests/fixtures/signature-mut-lifetime/self-stack"
    shutil.copytree(crate / "src", tmp_path / "src")
    shutil.copy(crate / "Cargo.toml", tmp_path / "Cargo.toml")
    pasted = """error[E0499]: cannot borrow `stack` as mutable more than once at a time
  --> src/lib.rs:10:5
   |
 9 |     stack.push(a);
   |     ----- first mutable borrow occurs here
10 |     stack.push(b);
   |     ^^^^^ second mutable borrow occurs here
"""
    here = run("explain", pasted, cwd=tmp_path)
    assert here.returncode == 0, here.stderr
    assert "`&'a mut self`" in here.stdout and "stack.rs:9" in here.stdout
    assert "read only the lines" not in here.stderr
    elsewhere = run("explain", pasted, cwd=tmp_path / "src")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "in a signature" not in elsewhere.stdout.split("\n")[0]
    # It says what it could not see, and where it looked.
    assert "read only the lines the message quotes: src/lib.rs is not under" in elsewhere.stderr
    assert str(tmp_path / "src") in elsewhere.stderr


def test_explain_by_code_shows_the_family_example() -> None:
    result = run("explain", "E0597", "--format", "markdown", "--color", "never")
    assert result.returncode == 0, result.stderr
    example = ROOT / "analyses/families/borrows/examples/does_not_live_long_enough.before.rs"
    first_line = example.read_text(encoding="utf-8").split("\n", 1)[0]
    assert "### Example" in result.stdout and first_line in result.stdout
    assert "```diff" in result.stdout and "### Background" not in result.stdout


def test_explain_depth_teach_adds_the_background() -> None:
    full = run("explain", "send-rc-across-await", "--color", "never")
    taught = run("explain", "send-rc-across-await", "--color", "never", "--depth", "teach")
    assert taught.returncode == 0, taught.stderr
    assert "\nBackground\n" in taught.stdout and "\nBackground\n" not in full.stdout
    assert "state machine" in taught.stdout.split("\nBackground\n", 1)[1]
