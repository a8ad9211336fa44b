"""The enrichment of one diagnostic is bounded: linear regexes, and caps on what is read.

No assertion here is a wall-clock limit. A regex is timed on an input of 4 000 characters and on
one ten times longer and must take less than 30 times as long (a quadratic one takes about
100 times; a linear one about 10; longer inputs leave the processor's caches and make the
ratio noisy); everything else asserts that the caps of `diagnostics.limits` and
`explain.render` are applied.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable

import pytest

from borrowlens.analyses.diagnostics import limits
from borrowlens.analyses.diagnostics.model import RENDERED_ARROW
from borrowlens.analyses.diagnostics.pasted import MAX_PASTED_LINE, from_rendered, pasted_files
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import recursive_async
from borrowlens.analyses.families.lifetimes import closure_sites, hrtb_sites
from borrowlens.analyses.families.lifetimes import hrtb_not_general_enough as hrtb
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.families.send import source as send_source
from borrowlens.analyses.fixes import spawn
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import MappingSources, line_of
from support.fixtures import Case, cases, target

CASES = cases()


def _seconds(work: Callable[[], object]) -> float:
    """The best of three runs (the machine is shared; the minimum is the least noisy)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _linear(make: Callable[[int], str], use: Callable[[str], object]) -> None:
    small, large = make(4_000), make(40_000)
    # Warm up (compilation, caches) before timing.
    use(small)
    ratio = _seconds(lambda: use(large)) / max(_seconds(lambda: use(small)), 1e-5)
    assert ratio < 30, f"10x the input took {ratio:.0f}x the time"


def _scan(regex: re.Pattern[str]) -> Callable[[str], object]:
    return lambda text: list(regex.finditer(text))


# (name, regex, the input piece that made it quadratic or worse)
REGEXES = [
    ("recursive-async callee: a long name", recursive_async._CALLEE, "a"),
    ("recursive-async callee: turbofish runs", recursive_async._CALLEE, "a::<"),
    ("hrtb must-implement", hrtb._MUST, " must implement `"),
    ("hrtb actually-implements", hrtb._ACTUAL, "but `"),
    ("hrtb expected type", hrtb._EXPECTED_308, "expected "),
    ("hrtb found type", hrtb._FOUND_308, "found "),
    ("hrtb Fn bound", hrtb_sites._FN_BOUND, "Fn("),
    ("rendered arrow: blank lines", RENDERED_ARROW, "\n"),
    ("rendered arrow: blank lines with spaces", RENDERED_ARROW, "  \n"),
    ("terminal links", render._LINK, "[a]("),
    ("terminal links: brackets", render._LINK, "["),
]


@pytest.mark.parametrize(("regex", "piece"), [(r, p) for _, r, p in REGEXES],
                         ids=[name for name, _, _ in REGEXES])
def test_matcher_regex_is_linear(regex: re.Pattern[str], piece: str) -> None:
    _linear(lambda n: piece * (n // len(piece)), _scan(regex))


def test_awaited_call_in_tokens_is_linear() -> None:
    """recursive-async boxes `call(…).await` found in a macro's tokens: trailing whitespace
    made its `(.*?)\\s*\\.\\s*await` quadratic."""
    source = "async fn f() {{ println!(\"{{}}\", f(){}.await); }}\n"

    def box(text: str) -> object:
        code = source.format(text)
        file = SourceFile.load(MappingSources({"f.rs": code}), "f.rs")
        assert file is not None
        line = code.split("\n")[0]
        start = line.index("f()")
        span = dataclasses.replace(_SPAN, line_start=1, line_end=1, column_start=start + 1,
                                   column_end=len(line) - len("); }") + 1)
        return recursive_async._box_in_tokens(file, span)
    _linear(lambda n: "\t" * n, box)


_SPAN = next(d.primary for case in CASES for d in [target(case, case.recorded())]
             if d.primary is not None)


# A spread of the recognised fixtures (a negative case has no family to see anything).
_RECOGNISED = [case for case in CASES if case.expect.get("family")]


@pytest.mark.parametrize("case", _RECOGNISED[:: max(1, len(_RECOGNISED) // 12)],
                         ids=lambda c: c.id)
def test_families_see_the_diagnostic_cut_to_the_caps(case: Case) -> None:
    diagnostic = target(case, case.recorded())
    assert limits.bounded(diagnostic) is diagnostic  # nothing real is cut
    padding = "`a` " * 50_000
    long = dataclasses.replace(
        diagnostic, message=diagnostic.message + padding,
        rendered=(diagnostic.rendered or "") + "\n" * 100_000 + "x" * 100_000,
        spans=tuple(dataclasses.replace(s, label=(s.label or "") + padding,
                                        text=(*s.text, "y" * 100_000)) for s in diagnostic.spans),
        children=tuple(dataclasses.replace(c, message=c.message + padding)
                       for c in diagnostic.children))
    match = classify(long, case.sources())
    assert match is not None and match.diagnostic is not None
    seen = match.diagnostic
    assert len(seen.message) <= limits.MAX_MESSAGE
    assert len(seen.rendered or "") <= limits.MAX_RENDERED
    assert all(len(line) <= limits.MAX_LINE for line in (seen.rendered or "").split("\n"))
    for span in seen.spans:
        assert len(span.label or "") <= limits.MAX_MESSAGE
        assert all(len(line) <= limits.MAX_LINE for line in span.text)
    assert all(len(child.message) <= limits.MAX_MESSAGE for child in seen.children)


def test_source_lines_are_cut_for_matchers() -> None:
    text = "fn f() {}\n" + "a" * (limits.MAX_LINE * 3) + "\n"
    assert line_of(text, 1) == "fn f() {}"
    assert line_of(text, 2) == "a" * limits.MAX_LINE


def test_a_huge_gutter_number_is_not_a_file_of_empty_lines() -> None:
    pasted = ("error[E0597]: `x` does not live long enough\n"
              " --> src/lib.rs:999999999:5\n    |\n"
              "999999999 |     let x = 1;\n    |         ^ borrowed value does not live\n"
              "7 | fn f() {}\n")
    files = pasted_files(pasted)
    assert files == {"src/lib.rs": "\n" * 6 + "fn f() {}\n"}
    assert MAX_PASTED_LINE < 999999999
    assert from_rendered(pasted) is not None


def test_pasted_text_is_cut() -> None:
    pasted = "error[E0597]: `x` does not live long enough\n" + ("= note: " + "a" * 10_000
                                                              + "\n") * 100
    diagnostic = from_rendered(pasted)
    assert diagnostic is not None
    assert len(diagnostic.rendered or "") <= limits.MAX_RENDERED
    assert all(len(child.message) <= limits.MAX_LINE for child in diagnostic.children)


def test_render_reads_each_part_up_to_its_cap() -> None:
    case = next(c for c in CASES if c.family == "recursive-async")
    match = classify(target(case, case.recorded()), case.sources())
    assert match is not None
    explanation = match.family.explain(match)
    for size in (10_000, 1_000_000):
        word = "x" * size
        long = dataclasses.replace(explanation, what=f"{word} {explanation.what}",
                                   fix=f"{explanation.fix} {word}", tldr=word,
                                   hover=f"{word}. " * 3, change=f"A {word}")
        bounded = render.bounded(long)
        texts = [getattr(bounded, f.name) for f in dataclasses.fields(bounded)]
        assert all(len(text) <= render.MAX_PART for text in texts if isinstance(text, str))
    _linear(lambda n: "word " * (n // 5),
            lambda text: (render.terminal(dataclasses.replace(explanation, what=text),
                                          full=True, color=False, story=text),
                          render.markdown(dataclasses.replace(explanation, hover=text),
                                          full=False)))
    _linear(lambda n: "x" * n,
            lambda text: render.terminal(dataclasses.replace(explanation, what=text),
                                         full=True, color=False))


def test_closure_passed_in_a_call_is_found_in_linear_time() -> None:
    """hrtb's `argument_closure` walked the whole function once per identifier under the span
    (to find the `let` binding it to a closure): a call passing n names in a function of n
    `let`s cost n²."""
    def find(text: str) -> object:
        names = text.split()
        code = ("fn f() {\n" + "".join(f"    let {n} = 0;\n" for n in names)
                + "    g(" + ", ".join(names) + ");\n}\n")
        line = code.split("\n")[-3]
        span = dataclasses.replace(_SPAN, file="f.rs", line_start=len(names) + 2,
                                   line_end=len(names) + 2, column_start=5,
                                   column_end=len(line) + 1)
        return closure_sites.argument_closure(span, MappingSources({"f.rs": code}))
    _linear(lambda n: " ".join(f"x{i}" for i in range(n // 8)), find)


def test_names_longer_than_the_cap_are_not_looked_for() -> None:
    """A regex built from a name read from the source costs time linear in the name to compile
    (about 0.4 s for 50 KB, once per distinct name): a name past `MAX_NAME` is not real code,
    and the helpers that build one do not look for it (as they do for a name within it)."""
    for size, found in ((limits.MAX_NAME, True), (limits.MAX_NAME + 1, False)):
        name = "a" * size
        code = f"fn f() {{\n    let {name} = 1;\n    drop({name});\n}}\n"
        sources = MappingSources({"f.rs": code})
        use = dataclasses.replace(_SPAN, file="f.rs", line_start=3, line_end=3,
                                  column_start=5, column_end=6)
        assert (send_source.declaration_line(name, use, sources) == 2) is found
        assert send_source.dropped_between(name, 1, 4, "f.rs", sources) is found
        assert (send_source.name_span(name, 2, use, sources).column_start == 9) is found
        assert spawn._mentioned(code, name) is found


def test_a_parse_of_garbage_is_bounded() -> None:
    """tree-sitter's error recovery is cubic on some garbage (`-->` repeated): the parse has a
    work budget per byte, past which the file reads as holding no code."""
    _linear(lambda n: "-->" * (n // 30) + "\n", syntax.parse.__wrapped__)
    garbage = syntax.parse("-->" * 1_200 + "\n")
    assert garbage.root.end_byte == 0
    assert not syntax.parse("fn f() { let x = 1; }\n").has_errors()
    # The families read such a file as holding no code: nothing raises.
    for case in CASES[:: max(1, len(CASES) // 12)]:
        diagnostic = target(case, case.recorded())
        files = {s.file: "-->" * 1_200 + "\n" + "fn f() {}\n" * 50 for s in diagnostic.spans}
        match = classify(diagnostic, MappingSources(files))
        if match is not None:
            match.family.explain(match)
