"""signature-mut-lifetime beyond its fixtures' recorded JSON: the same diagnosis from rustc's
rendered text when the crate is at hand, nothing claimed when the callee cannot be seen, and
the crate listing that finds a callee in another file."""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.diagnostics.pasted import from_rendered, pasted_files
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.rust.sources import MappingSources, NoSources, crate_files
from borrowlens.server.disk import DiskSources
from borrowlens.server.documents import Documents
from support.fixtures import FIXTURES, Case, cases
from support.lsp_shape import published_diagnostics

FAMILY = "signature-mut-lifetime"
POSITIVE = [c for c in cases() if c.family == FAMILY and c.expect["family"] == FAMILY]


def _rendered(case: Case) -> str:
    needle = case.expect.get("message", "")
    return next(m["rendered"] for m in case.recorded_raw()
                if m["level"] == "error" and needle in m["message"])


@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c.id)
def test_pasted_text_with_the_crate_at_hand_finds_the_same_cause(case: Case) -> None:
    diagnostic = from_rendered(_rendered(case))
    assert diagnostic is not None
    match = classify(diagnostic, case.sources())
    assert match is not None and match.family.id == FAMILY, case.id
    for key in ("shape", "owner", "cause", "cause_line"):
        assert match.facts.get(key) == case.expect["facts"][key], (case.id, key)


@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c.id)
def test_without_the_callee_the_symptom_family_explains(case: Case) -> None:
    rendered = _rendered(case)
    diagnostic = from_rendered(rendered)
    assert diagnostic is not None
    for sources in (NoSources(), MappingSources(pasted_files(rendered))):
        match = classify(diagnostic, sources)
        # The quoted lines may happen to hold the signature; otherwise nothing is claimed.
        if match is not None and match.family.id == FAMILY:
            owner = case.expect["facts"]["owner"]
            assert any(owner in text for text in pasted_files(rendered).values()), case.id


def test_disk_sources_list_the_crate_of_a_file() -> None:
    sources = DiskSources(FIXTURES)
    near = f"{FAMILY}/self-stack/src/lib.rs"
    assert crate_files(sources, near) == [near, f"{FAMILY}/self-stack/src/stack.rs"]
    absolute = str(FIXTURES / near)
    assert str(FIXTURES / f"{FAMILY}/self-stack/src/stack.rs") in sources.rust_files(absolute)


def test_sources_without_a_listing_give_the_file_itself() -> None:
    assert crate_files(NoSources(), "src/lib.rs") == ["src/lib.rs"]
    mapped = MappingSources({"src/lib.rs": "", "src/a.rs": "", "Cargo.toml": ""})
    assert crate_files(mapped, "src/a.rs") == ["src/lib.rs", "src/a.rs"]


def _case(name: str) -> Case:
    return next(c for c in cases() if c.id == f"{FAMILY}/{name}")


def test_another_static_in_the_signature_is_not_claimed() -> None:
    """`limit: &'static usize` may be what the call cannot give: not provably the `&mut`."""
    case = _case("static-vec")
    diagnostic = next(d for d in case.recorded() if d.level == "error")
    sources = case.sources()
    (path,) = sources.rust_files("")
    text = sources.text(path)
    assert text is not None
    changed = text.replace("limit: usize", "limit: &'static usize")
    assert changed != text
    match = classify(diagnostic, MappingSources({path: changed}))
    assert match is None or match.family.id != FAMILY


_FILE = "src/lib.rs"


def _borrow_error(code: str, message: str,
                  labels: tuple[tuple[int, int, int, str], ...]) -> Diagnostic:
    """A borrow error in `_FILE`, the first label primary: (line, start, end, label)."""
    spans = tuple(Span(_FILE, line, start, line, end, label, is_primary=index == 0)
                  for index, (line, start, end, label) in enumerate(labels))
    return Diagnostic(level="error", code=code, message=message, spans=spans)


def _claimed_twice(variable: str, line: int, text: str) -> tuple[Match, MappingSources]:
    """E0499 for `let a = {variable}.m();` on `line` and again on the next one, classified
    over `text`: it must be this family's."""
    end = 13 + len(variable)
    diagnostic = _borrow_error(
        "E0499", f"cannot borrow `{variable}` as mutable more than once at a time",
        ((line + 1, 13, end, "second mutable borrow occurs here"),
         (line, 13, end, "first mutable borrow occurs here"),
         (line + 2, 5, 6, "first borrow later used here")))
    sources = MappingSources({_FILE: text})
    match = classify(diagnostic, sources)
    assert match is not None and match.family.id == FAMILY
    return match, sources


_PEEK = """\
pub struct Reader<'a> {
    text: &'a str,
}

impl<'a> Reader<'a> {
    pub fn peek(&self) -> &str {
        self.text
    }

    pub fn advance(&mut self) -> &str {
        self.text
    }
}

pub fn run(text: &str) -> usize {
    let mut r = Reader { text };
    let p = r.peek();
    let q = r.advance();
    p.len() + q.len()
}
"""


def test_the_held_borrow_is_followed_not_the_conflicting_one() -> None:
    """E0502 "as mutable because it is also borrowed as immutable": the `&mut` label is on
    the second borrow (`advance`), which is not what keeps the first alive."""
    diagnostic = _borrow_error(
        "E0502", "cannot borrow `r` as mutable because it is also borrowed as immutable",
        ((18, 13, 14, "mutable borrow occurs here"), (17, 13, 14, "immutable borrow occurs here"),
         (19, 5, 6, "immutable borrow later used here")))
    match = classify(diagnostic, MappingSources({_FILE: _PEEK}))
    assert match is None or match.family.id != FAMILY


def test_the_session_finds_a_callee_in_another_file_of_the_crate() -> None:
    """Through rust-analyzer's shape (absolute paths) with the caller open in the editor, the
    callee's signature is read from the crate's other file on disk."""
    case = _case("self-stack")
    documents = Documents()
    lib = FIXTURES / FAMILY / "self-stack/src/lib.rs"
    documents.open({"textDocument": {"uri": lib.as_uri(), "version": 1, "languageId": "rust",
                                     "text": lib.read_text(encoding="utf-8")}})
    diagnostic = next(d for d in published_diagnostics(case, absolute_paths=True)
                      if "more than once" in d.message)
    match = classify(diagnostic, documents)
    assert match is not None and match.family.id == FAMILY
    assert match.facts["cause_file"] == str(FIXTURES / FAMILY / "self-stack/src/stack.rs")
    assert match.related[0].span.file == match.facts["cause_file"]


_POOL = """\
pub struct Pool<'a> {
    name: &'a str,
    slots: Vec<String>,
}

impl<'a> Pool<'a> {
    pub fn slot(&'a mut self) -> &'a mut String {
        &mut self.slots[0]
    }
}

pub fn run(mut pool: Pool) {
    let a = pool.slot();
    let b = pool.slot();
    a.push_str(b);
}
"""


def test_a_result_through_the_borrow_is_left_to_the_user() -> None:
    """`&'a mut self` returning `&'a mut String` from an owned field: the cause stands, but
    `&mut self` alone would not compile; the return type is named and nothing is edited."""
    match, sources = _claimed_twice("pool", 13, _POOL)
    assert match.facts["return_too"] == "&'a mut String"
    assert match.family.fixes(match, sources) == []
    assert "`&'a mut String`" in match.family.explain(match).fix


_WORDS = """\
pub struct Text<'a> {
    body: &'a str,
}

impl<'a> Text<'a> {
    pub fn words(&mut self) -> impl Iterator<Item = &str> + '_ {
        self.body.split(' ')
    }
}

pub fn both(mut text: Text) -> usize {
    let a = text.words();
    let b = text.words();
    a.count() + b.count()
}
"""


def test_an_impl_trait_result_is_diagnosed_but_not_edited() -> None:
    """Which lifetimes an `impl Trait` captures depends on the edition: naming `'a` in it
    may leave the receiver captured, so no edit is offered."""
    match, sources = _claimed_twice("text", 12, _WORDS)
    assert match.facts["shape"] == "elided-return" and match.facts["lifetime"] == "'a"
    assert match.family.fixes(match, sources) == []
