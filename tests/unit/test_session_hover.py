"""The session's hover: a plain Position, and rust-analyzer's hover extension where `position`
is a Range (VS Code's rust-analyzer client sends the selection, or the cursor as an empty
range, with Ctrl+K Ctrl+I and when hovering where one just clicked)."""

from __future__ import annotations

from typing import Any

import pytest

from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from support.fixtures import FIXTURES, cases
from support.lsp_shape import enriched_session

CASE = next(c for c in cases() if c.id == "send-rc-across-await/local-rc-untouched")


@pytest.fixture
def published() -> tuple[Session, str, dict[str, Any]]:
    """A session that has enriched the case's recorded error; its URI and LSP range."""
    session, uri, _, rng = enriched_session(CASE)
    return session, uri, rng


def _point(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def test_position_inside_the_error(published: tuple[Session, str, dict[str, Any]]) -> None:
    session, uri, rng = published
    hover = session.merge_hover(None, uri, rng["start"])
    assert hover is not None and "`shared`" in hover["contents"]["value"]


@pytest.mark.parametrize("shape", ["selection", "empty", "overlapping-start"])
def test_range_overlapping_the_error(published: tuple[Session, str, dict[str, Any]],
                                     shape: str) -> None:
    session, uri, rng = published
    start, end = rng["start"], rng["end"]
    selection = {
        "selection": {"start": start, "end": end},
        "empty": {"start": end, "end": end},
        # From the line above into the error's first character.
        "overlapping-start": {"start": _point(start["line"] - 1, 0),
                              "end": _point(start["line"], start["character"] + 1)},
    }[shape]
    theirs = {"contents": {"kind": "markdown", "value": "```rust\nimpl Future\n```"},
              "range": selection}
    hover = session.merge_hover(theirs, uri, selection)
    assert hover is not None
    ours, separator, rest = hover["contents"]["value"].partition("\n\n---\n\n")
    assert separator and "`shared`" in ours and rest == "```rust\nimpl Future\n```"
    assert hover["range"] == selection  # rust-analyzer's own fields are kept


def test_range_away_from_the_error_is_left_alone(
        published: tuple[Session, str, dict[str, Any]]) -> None:
    session, uri, rng = published
    above = {"start": _point(0, 0), "end": _point(0, 3)}
    assert rng["start"]["line"] > 0
    assert session.merge_hover({"contents": "x"}, uri, above) is None


def test_one_edit_for_two_diagnostics_is_offered_once() -> None:
    """rustc can report one closure twice (the example crate's `for<'a>` error): the same
    edit is one code action carrying both diagnostics, not two identical ones."""
    message = next(m for m in CASE.recorded_raw() if m["level"] == "error")
    pairs = to_lsp(message, FIXTURES)
    uri = pairs[0][0]
    first = [d for u, d in pairs if u == uri]
    second = [{**d, "message": d["message"] + "\n(reported again)"} for d in first]
    session = Session()
    assert session.enrich({"uri": uri, "diagnostics": [*first, *second]}) is not None
    rng = pairs[0][1]["range"]
    actions = session.code_actions(uri, rng)
    titles = [a["title"] for a in actions]
    assert len(titles) == len(set(titles)), titles
    assert len(actions[0]["diagnostics"]) == 2


@pytest.mark.parametrize("depth", ["short", "full", "teach"])
def test_hover_and_explain_command_at_each_depth(
        published: tuple[Session, str, dict[str, Any]], depth: str) -> None:
    """short: the capped hover; full: the whole text with the user's code annotated (never
    the family's example); teach: that and the group's background. The explain command is
    full at least, teach when set."""
    session, uri, rng = published
    session.configure({"explanation": depth})
    hover = session.merge_hover(None, uri, rng["start"])
    assert hover is not None
    text = hover["contents"]["value"]
    assert ("### Your code, annotated" in text) == (depth != "short")
    assert ("### Background" in text) == (depth == "teach")
    assert "### Example" not in text
    explained = session.explain([uri, rng["start"]])
    assert "### Your code, annotated" in explained
    assert ("### Background" in explained) == (depth == "teach")
