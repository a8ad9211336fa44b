"""Fixes are built once per published diagnostic: the publish carries their ids, and the
quick fixes, the verifier's jobs and the full explanation reuse the built fixes while the
files are unchanged; a closed file's state goes; the verifier's caches stay bounded."""

from __future__ import annotations

from typing import Any

import pytest

from borrowlens.server import enrichment, verifier
from borrowlens.server.protocol import DATA_KEY
from borrowlens.server.session import Session
from support.fixtures import FIXTURES, published_error

CASE = "recursive-async/mutual"
FILE = FIXTURES / CASE / "src" / "lib.rs"


def _published(monkeypatch: pytest.MonkeyPatch) -> tuple[Session, str, dict[str, Any],
                                                          list[str]]:
    """A session that enriched the case's error, the diagnostic as published, and a log of
    the families fixes were built for."""
    built: list[str] = []
    original = enrichment.offered_fixes

    def counting(match: Any, sources: Any) -> Any:
        built.append(match.family.id)
        return original(match, sources)
    monkeypatch.setattr(enrichment, "offered_fixes", counting)
    uri, diagnostics = published_error(CASE)
    session = Session()
    session.settings.verify_fixes = True
    published = session.enrich({"uri": uri, "diagnostics": diagnostics})
    assert published is not None
    return session, uri, published["diagnostics"][0], built


def test_code_actions_reuse_the_fixes_built_for_the_publish(
        monkeypatch: pytest.MonkeyPatch) -> None:
    session, uri, diagnostic, built = _published(monkeypatch)
    assert built == ["recursive-async"]
    assert diagnostic["data"][DATA_KEY]["fixes"] == ["box-pin"]
    for _ in range(3):
        actions = session.code_actions(uri, diagnostic["range"])
        assert [a["data"][DATA_KEY]["fix"] for a in actions] == ["box-pin"]
    assert [job.fix[0] for job in verifier.jobs(session.recognised, session)] == ["box-pin"]
    assert "Box::pin" in session.explain([uri])
    assert built == ["recursive-async"]  # nothing built again


def test_an_edit_means_the_fixes_are_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    session, uri, diagnostic, built = _published(monkeypatch)
    text = FILE.read_text(encoding="utf-8")
    session.open({"textDocument": {"uri": uri, "version": 1, "text": text}})
    assert len(session.code_actions(uri, diagnostic["range"])) == 1
    assert len(built) == 1  # the open text is the text on disk: still the same
    session.change({"textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"text": text + "\n// typed\n"}]})
    assert session.code_actions(uri, diagnostic["range"]) == []
    session.explain([uri])  # the explanation of a stale entry builds for the text as it is
    assert len(built) == 2


def test_closing_a_file_drops_its_state(monkeypatch: pytest.MonkeyPatch) -> None:
    session, uri, diagnostic, _ = _published(monkeypatch)
    session.open({"textDocument": {"uri": uri, "version": 1,
                                   "text": FILE.read_text(encoding="utf-8")}})
    assert session.recognised.entries[uri] and session.recognised._seen[uri]
    assert str(FILE) in session._lines
    session.close({"textDocument": {"uri": uri}})
    assert uri not in session.recognised.entries and uri not in session.recognised._seen
    assert str(FILE) not in session._lines
    assert session.code_actions(uri, diagnostic["range"]) == []


def test_verifier_caches_forget_the_least_recently_used() -> None:
    cache: dict[str, int] = {}
    for index in range(4):
        verifier._remember(cache, f"k{index}", index, bound=3)
    assert list(cache) == ["k1", "k2", "k3"]
    assert verifier._recall(cache, "k1") == 1  # used: now the last to go
    verifier._remember(cache, "k4", 4, bound=3)
    assert list(cache) == ["k3", "k1", "k4"]
    assert verifier._recall(cache, "k0") is None
    assert verifier.BASELINES < verifier.REMEMBERED
