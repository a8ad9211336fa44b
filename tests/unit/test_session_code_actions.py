"""The session's quick fixes as the rust-analyzer VS Code extension's client receives them.

Its code-action middleware (editors/code/src/client.ts) converts the actions itself: an action
with an edit that also carries a `command` fails an assertion, and then VS Code lists no
action at all from rust-analyzer's client, borrowlens' or rust-analyzer's own. An action that
vscode-languageclient does not take for a CodeAction (`CodeAction.is`: a malformed diagnostic
or edit) falls to the other branch, which asserts that it has no edit, with the same result.
So every action borrowlens offers must be a well-formed CodeAction with an edit and no command.
"""

from __future__ import annotations

from typing import Any

import pytest

from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from support.fixtures import FIXTURES, Case, cases


def _error(case: Case) -> list[tuple[str, dict[str, Any]]]:
    """The case's error as LSP diagnostics, (uri, diagnostic) per file it touches."""
    needle = case.expect.get("message", "")
    message = next(m for m in case.recorded_raw()
                   if m["level"] == "error" and needle in m["message"])
    return to_lsp(message, FIXTURES)


FIX_CASES = [c for c in cases() if (c.expect.get("fixes") or {}).get("offered")]


def _actions(case: Case) -> list[dict[str, Any]]:
    """borrowlens' actions at the case's error, from a session that enriched it."""
    pairs = _error(case)
    uri, first = pairs[0]
    session = Session()
    assert session.enrich({"uri": uri, "diagnostics": [d for u, d in pairs if u == uri]})
    return session.code_actions(uri, first["range"])


def _is_position(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("line"), int)
            and isinstance(value.get("character"), int))


def _is_range(value: Any) -> bool:
    return isinstance(value, dict) and _is_position(value.get("start")) \
        and _is_position(value.get("end"))


def _is_diagnostic(value: Any) -> bool:
    """vscode-languageserver-types' Diagnostic.is."""
    if not isinstance(value, dict) or not _is_range(value.get("range")):
        return False
    description = value.get("codeDescription")
    related = value.get("relatedInformation")
    return (isinstance(value.get("message"), str)
            and isinstance(value.get("severity", 1), int)
            and isinstance(value.get("code", ""), (int, str))
            and (description is None or isinstance(description.get("href"), str))
            and isinstance(value.get("source", ""), str)
            and (related is None or isinstance(related, list)))


def _is_text_document_edit(value: Any) -> bool:
    document = value.get("textDocument") if isinstance(value, dict) else None
    return (isinstance(document, dict) and isinstance(document.get("uri"), str)
            and (document.get("version") is None or isinstance(document["version"], int))
            and isinstance(value.get("edits"), list)
            and all(_is_range(e.get("range")) and isinstance(e.get("newText"), str)
                    for e in value["edits"]))


@pytest.mark.parametrize("case", FIX_CASES, ids=lambda c: c.id)
def test_actions_carry_an_edit_and_never_a_command(case: Case) -> None:
    actions = _actions(case)
    # The session reads every file the error names from disk, a dependency's source too when
    # it is there (~/.cargo/registry), which the fixture tests leave out: an error pointing
    # into one may get no fix here (the offer itself is tests/unit/test_fix_offers.py's).
    outside = [uri for uri, _ in _error(case) if not uri.startswith(FIXTURES.as_uri())]
    assert actions or outside, f"{case.id}: no action at the error"
    for action in actions:
        assert "command" not in action, f"{case.id}: {action['title']} carries a command"
        # CodeAction.is, so that the client takes the branch for resolved actions.
        assert isinstance(action["title"], str) and action["kind"] == "quickfix"
        assert isinstance(action["isPreferred"], bool)
        assert all(_is_diagnostic(d) for d in action["diagnostics"]), action["diagnostics"]
        changes = action["edit"]["documentChanges"]
        assert changes and all(_is_text_document_edit(c) for c in changes), changes
