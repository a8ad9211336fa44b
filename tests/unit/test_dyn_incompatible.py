"""Pure layer: rustc reports E0038 once where `dyn Trait` is written and again at each place a
value is made into the trait object; only the first may say "you wrote `dyn …` on line N"."""

from __future__ import annotations

from borrowlens.analyses.explain import render
from borrowlens.analyses.families.registry import classify
from support.fixtures import cases


def test_only_the_written_dyn_is_cited_as_written() -> None:
    case = next(c for c in cases() if c.id == "dyn-incompatible-trait/no-receiver")
    seen: dict[int, tuple[object, object]] = {}
    for diagnostic in case.recorded():
        match = classify(diagnostic, case.sources())
        assert match is not None and match.family.id == "dyn-incompatible-trait"
        assert diagnostic.primary is not None
        seen[diagnostic.primary.line_start] = (match.facts.get("use_line"),
                                               match.facts.get("made_line"))
        text = render.markdown(match.family.explain(match), full=True)
        if diagnostic.primary.line_start == 41:
            assert "You wrote `dyn Codec` on line 41." in text
        else:
            assert "You wrote" not in text
            assert f"A value becomes a `dyn Codec` on line {diagnostic.primary.line_start}." \
                in text
    # `pick`'s return type (line 41) spells `dyn Codec`; the arms on lines 43-45 make values.
    assert seen == {41: (41, None), 43: (None, 43), 44: (None, 44), 45: (None, 45)}
