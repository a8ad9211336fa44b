"""`data.borrowlens.markers` on recognised diagnostics: the full explanation's numbered places
as LSP ranges (zero-based lines, UTF-16 columns), with the same numbers and texts the
explanation prints, each range on the identifier it names."""

from __future__ import annotations

from typing import Any

from borrowlens.server.documents import uri_to_path
from borrowlens.server.enrichment import markers_for
from borrowlens.server.protocol import MARKER_TEXT_LIMIT
from borrowlens.server.session import Session
from support.fixtures import cases
from support.lsp_shape import enriched_session


def _published(case_id: str) -> tuple[Session, str, dict[str, Any]]:
    """A session that enriched the case's recorded error: its URI and the enriched diagnostic."""
    session, uri, diagnostics, _ = enriched_session(next(c for c in cases() if c.id == case_id))
    diagnostic = next(d for d in diagnostics if "borrowlens" in d.get("data", {}))
    return session, uri, diagnostic


def _text_at(uri: str, rng: dict[str, Any]) -> str:
    """The file's text under a one-line LSP range, counting UTF-16 code units."""
    with open(uri_to_path(uri), encoding="utf-8") as file:
        line = file.read().split("\n")[rng["start"]["line"]]
    units = line.encode("utf-16-le")
    return units[2 * rng["start"]["character"]:2 * rng["end"]["character"]].decode("utf-16-le")


def test_markers_point_at_the_names_they_tell_of() -> None:
    _, uri, diagnostic = _published("send-rc-across-await/local-rc-untouched")
    markers = diagnostic["data"]["borrowlens"]["markers"]
    ours = [m for m in markers if m["uri"] == uri]
    assert [(m["label"], m["range"]["start"]["line"], _text_at(uri, m["range"]))
            for m in ours] == [("①", 3, "Send"), ("②", 14, "shared"), ("③", 16, "await")]
    assert ours[1]["text"] == ("`shared` (`Rc<Vec<u32>>`, not `Send`) is created here and is "
                               "still alive at the await")
    assert ours[2]["text"] == "the future is suspended here while `shared` is still alive"


def test_columns_are_utf16_after_an_emoji() -> None:
    # Line 10 holds "Grüße 🌍, " before `greeting`: the emoji is one character, two UTF-16
    # units and two display columns in rustc's rendered text.
    _, uri, diagnostic = _published("send-rc-across-await/multibyte-line")
    greeting = next(m for m in diagnostic["data"]["borrowlens"]["markers"]
                    if m["uri"] == uri and m["range"]["start"]["line"] == 9)
    assert greeting["range"]["start"]["character"] == 35
    assert _text_at(uri, greeting["range"]) == "greeting"
    assert greeting["text"].startswith("`greeting` (`Rc<String>`, not `Send`) is created here")


def test_markers_are_the_ones_the_full_explanation_prints() -> None:
    session, uri, diagnostic = _published("send-rc-across-await/local-rc-untouched")
    explanation = session.explain([uri, diagnostic["range"]["start"]])
    annotated = explanation.split("### Your code, annotated", 1)[1]
    markers = diagnostic["data"]["borrowlens"]["markers"]
    assert len(markers) == 3
    for marker in markers:
        assert f"- {marker['label']} {marker['text']}\n" in annotated


def test_long_texts_are_cut() -> None:
    session, uri, _ = _published("send-rc-across-await/local-rc-untouched")
    entry = session.recognised.entries[uri][0]
    long = "`shared` " + "is still alive " * 40
    entry.match.related[0] = type(entry.match.related[0])(entry.match.related[0].span, long)
    texts = [m["text"] for m in markers_for(entry.match, session)]
    cut = next(t for t in texts if t.startswith("`shared` is still alive"))
    assert len(cut) == MARKER_TEXT_LIMIT and cut.endswith("…")
