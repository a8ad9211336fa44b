"""Scaffolds a new error family, the way `cargo dev new_lint` starts a clippy lint.

Usage: scripts/new-family FAMILY-ID [--group send|lifetimes|borrows|traits] [--root DIR]
(or, from tests/: ../.venv/bin/python -m support.new_family …)

Writes the family module with its declarations (id, title, trigger, refines, fixes), a
matcher and an explanation rendered from prose; the prose template beside it with every
section; placeholders for its before/after example (`examples/`); and a first fixture crate
`tests/fixtures/<id>/basic/` (Cargo.toml, a placeholder src/lib.rs, expect.toml). Nothing is
overwritten. The scaffold matches nothing until its TODOs are done, so it cannot change how any
existing diagnostic is classified. It prints what to do next; docs/writing-a-family.md has the
details.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("send", "lifetimes", "borrows", "traits")
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

_GENERIC_HEAD = '''\
"""TODO: what this family is, in a sentence or two: the rustc error it explains and the
shape of code that causes it.

rustc: TODO the message (and code) it reads. Facts: `variable` (TODO: what it names), `line`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.rust.sources import Sources

# TODO: rustc's headline for this error, with the names it carries as named groups.
_MESSAGE = re.compile(r"TODO rustc's message about `(?P<variable>[^`]+)`")
'''

_GENERIC_TRIGGER = '''\
    codes = ()  # TODO: the rustc codes it comes from, e.g. ("E0505",)
    messages = (_MESSAGE.pattern,)
    refines = ()  # TODO: ids of more general families that can match the same errors
'''

_GENERIC_MATCH = '''\
    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None:
            return None
        facts: dict[str, FactValue] = {"variable": found.group("variable")}
        related: list[Related] = []
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)
'''

# A family of the send group reads the group's shared analysis (run once per diagnostic).
_SEND_HEAD = '''\
"""TODO: which non-`Send` future this family explains: the culprit it recognises among
those of the send group, and what is special about it.

rustc: "future cannot be sent between threads safely" with TODO. Facts: those of
send/analysis.py (`variable`, `type`, `decl_line`, `await_line`, `spawn`, `function`, …).
"""

from __future__ import annotations

from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.rust.sources import Sources
'''

_SEND_TRIGGER = '''\
    codes = ()
    notes = send.NOTES
    refines = ("future-not-send",)
'''

_SEND_MATCH = '''\
    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        # TODO: the kind of culprit this family claims (send.kind_of decides; add a kind there).
        if info is None or info.kind != "TODO":
            return None
        return send.build_match(self, diagnostic, info)
'''

_CLASS = Template('''

class $cls(Family):
    id = "$id"
    title = "TODO a short title"
$trigger\
    # One line per fix `fixes` can offer; while there is none, what the explanation offers.
    fix_docs: ClassVar[dict[str, str]] = {}
    design_choices = "TODO: the choices the explanation lays out instead of a fix"

$match
    def explain(self, match: Match) -> Explanation:
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.fact("variable"),
            "line": match.fact("$line_fact"),
        })


FAMILY = $cls()
''')

_PROSE = Template('''\
{#- Slots: variable (the value rustc names, or None), line (where, or None). Each section is
    markdown; the first paragraph of `what` and of `fix` is what the hover shows. -#}
## tldr
{{ variable | code if variable else "The value" }} TODO: one line naming the user's thing and
the change to make.

## what
TODO: what the compiler is telling you, in terms of the user's code
{{- " (line %s)" % line if line else "" }}.

## why
TODO: the mechanism behind the rule.

## fix
TODO: the change to make, the preferred one first; alternatives in later paragraphs.

## rule
TODO: the general rule to carry away.

## caveat
TODO: where the compiler is stricter than it needs to be, and the workaround (or delete this
section).

## links
- [TODO the error code's page](https://doc.rust-lang.org/error_codes/error-index.html)

## example
TODO: one sentence saying what examples/$stem.after.rs changes, and why that fixes it.

## background
$background
''')

_EXAMPLE_BEFORE = Template('''\
// TODO: the family's minimal example (at most ~15 lines, written for this project): code
// that gets exactly this family's error. tests/integration/test_family_examples_compile.py compiles
// it and checks borrowlens recognises the error as `$id`.
pub fn placeholder() {}
''')

_EXAMPLE_AFTER = Template('''\
// TODO: the same code with the smallest change that fixes the cause (what the preferred fix
// writes, if the family has one); it must compile.
pub fn placeholder() {}
''')

_CARGO = Template('''\
[package]
name = "fx-$id-basic"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$dependencies''')

_LIB = Template('''\
// TODO: small, realistic code with exactly one error of the `$id` family (or say which
// with `message` in expect.toml). Then record what rustc says about it:
//   cd tests && ../.venv/bin/python -m support.record $id

pub fn placeholder() {}
''')

_EXPECT = Template('''\
# TODO: what borrowlens must make of this case, written from reading the code and rustc.json
# (never copied from what borrowlens prints).
family = "$id"
# message = "…"   # a substring of the error's message, when the crate has more than one
lsp_skip_facts = []

[facts]
# variable = "x"

[explanation]
mentions = []

[fixes]
offered = []
''')


def class_name(family_id: str) -> str:
    """`send-rc-across-await` -> `SendRcAcrossAwait`."""
    return "".join(part[:1].upper() + part[1:] for part in family_id.split("-"))


def module_text(family_id: str, group: str | None) -> str:
    """The family module: the send group's shape, or the generic one."""
    send = group == "send"
    return (_SEND_HEAD if send else _GENERIC_HEAD) + _CLASS.substitute(
        cls=class_name(family_id), id=family_id,
        trigger=_SEND_TRIGGER if send else _GENERIC_TRIGGER,
        match=_SEND_MATCH if send else _GENERIC_MATCH,
        line_fact="await_line" if send else "line")


def files(family_id: str, group: str | None, root: Path) -> dict[Path, str]:
    """Every file the scaffold writes, by path, with its text."""
    package = root / "analyses" / "families" / (group or "")
    module = package / family_id.replace("-", "_")
    stem = family_id.replace("-", "_")
    fields = {"id": family_id, "stem": stem,
              "dependencies": 'tokio = { version = "1", features = ["full"] }\n'
              if group == "send" else "",
              # A group's families share its background passage.
              "background": f'{{% include "{group}/_background.md" %}}' if group else
              "TODO: the general background of this kind of error (for the teach depth)."}
    examples = package / "examples"
    case = root / "tests" / "fixtures" / family_id / "basic"
    return {
        module.with_suffix(".py"): module_text(family_id, group),
        module.with_suffix(".md"): _PROSE.substitute(fields),
        examples / f"{stem}.before.rs": _EXAMPLE_BEFORE.substitute(fields),
        examples / f"{stem}.after.rs": _EXAMPLE_AFTER.substitute(fields),
        case / "Cargo.toml": _CARGO.substitute(fields),
        case / "src" / "lib.rs": _LIB.substitute(fields),
        case / "expect.toml": _EXPECT.substitute(fields),
    }


def next_steps(family_id: str, written: list[Path], root: Path) -> str:
    shown = "\n".join(f"  {path.relative_to(root)}" for path in written)
    return f"""created:
{shown}

next:
  1. Write the failing code in tests/fixtures/{family_id}/basic/src/lib.rs, then record
     rustc's output (this also adds the crate to tests/fixtures/Cargo.lock):
       cd tests && ../.venv/bin/python -m support.record {family_id}
  2. Read rustc.json; fill in the module's TODOs: title, trigger (codes, messages or notes),
     refines, the matcher and the facts; then the prose template's sections.
  3. Write expect.toml from the code and rustc.json; add a second case of another shape
     (every family needs two), and a negative one if a near miss must stay unrecognised.
  4. Fixes, if a mechanical one is safe: fixes() and one fix_docs line per id.
     Then the family's own example (analyses/families/…/examples/{family_id.replace("-", "_")}.*.rs)
     and its `## example` sentence:
       .venv/bin/python -m pytest tests/integration/test_family_examples_compile.py -k {family_id}
  5. Snapshots, then review them like code:
       BORROWLENS_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/test_snapshots.py \\
         -k {family_id}
  6. scripts/gen-docs (README tables, docs/families/{family_id}.md)
  7. .venv/bin/python -m pytest tests/unit -q -k "{family_id} or registry or fix_ids or docs"
See docs/writing-a-family.md."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/new-family",
                                     description="Scaffolds a new error family.")
    parser.add_argument("family_id", metavar="FAMILY-ID",
                        help="kebab-case id, also the fixture folder: e.g. drop-while-borrowed")
    parser.add_argument("--group", choices=GROUPS,
                        help="the group package to put it in (default: a module of its own)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the clone to write into (default: this one)")
    args = parser.parse_args(argv)
    family_id: str = args.family_id
    if not _ID.match(family_id):
        parser.error(f"{family_id!r} is not a kebab-case id (lower-case words joined by -)")
    root: Path = args.root.resolve()
    planned = files(family_id, args.group, root)
    fixture = root / "tests" / "fixtures" / family_id
    taken = [path for path in planned if path.exists() and not path.is_relative_to(fixture)]
    if fixture.exists():
        taken.append(fixture)
    if taken:
        print("not overwriting: " + ", ".join(str(p.relative_to(root)) for p in taken),
              file=sys.stderr)
        return 1
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(next_steps(family_id, list(planned), root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
