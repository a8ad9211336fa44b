"""Writes bench/sessions/async-service.json: the editor session the proxy benchmark replays.

The session is what an editor sends while someone reads and edits examples/async-service:
`initialize` (capabilities of a typical client, borrowlens settings included), `didOpen`,
a save (so rust-analyzer's cargo check publishes the crate's three errors), then one "round"
of work that the benchmark repeats: document symbols, folding ranges, semantic tokens and
inlay hints for the file; a hover on every identifier; code actions where the errors are;
go-to-definition and highlights; and three edits, each typed, completed (`completion` after
`.` or `::`), re-tokenised and undone, so every round ends on the text it began with.

Positions come from the source text, so re-running this after the example changes keeps the
session valid: `.venv/bin/python -m bench.record`. URIs are written as `${ROOT}/…` and
filled in by the replay with the crate copy it runs against; didChange versions are filled in
by the replay as well (they keep increasing across rounds).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CRATE = REPO / "examples" / "async-service"
SESSION = Path(__file__).resolve().parent / "sessions" / "async-service.json"
FILE = "src/main.rs"
URI = "${ROOT}/" + FILE

KEYWORDS = {"use", "struct", "async", "fn", "let", "where", "for", "in", "mut", "pub", "impl",
            "move", "return", "if", "else", "match", "self", "Self", "crate", "await"}

# Edits typed into the file: (1-based line, column, text typed; completion at its end).
EDITS = [
    # a method call on the Rc being added before the await
    (26, 4, "stats."),
    # a path completion in the sleep call
    (19, 4, "Duration::"),
    # a field access on the request
    (42, 8, "request."),
]


def identifiers(text: str) -> list[tuple[int, int]]:
    """(line, character) of the start of every identifier outside comments (0-based)."""
    out = []
    for number, line in enumerate(text.splitlines()):
        code = line.split("//", 1)[0]
        for found in re.finditer(r"\b[A-Za-z_][A-Za-z0-9_]*\b", code):
            if found.group() not in KEYWORDS and not code[:found.start()].count('"') % 2:
                out.append((number, found.start()))
    return out


def request(method: str, params: Any) -> dict[str, Any]:
    return {"kind": "request", "method": method, "params": params}


def notification(method: str, params: Any) -> dict[str, Any]:
    return {"kind": "notification", "method": method, "params": params}


def doc() -> dict[str, str]:
    return {"uri": URI}


def position(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def whole_file(text: str) -> dict[str, Any]:
    lines = text.splitlines()
    return {"start": position(0, 0), "end": position(len(lines), 0)}


def round_messages(text: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    out = [
        request("textDocument/documentSymbol", {"textDocument": doc()}),
        request("textDocument/foldingRange", {"textDocument": doc()}),
        request("textDocument/semanticTokens/full", {"textDocument": doc()}),
        request("textDocument/inlayHint", {"textDocument": doc(), "range": whole_file(text)}),
    ]
    for line, character in identifiers(text):
        out.append(request("textDocument/hover", {"textDocument": doc(),
                                                  "position": position(line, character)}))
    # The cursor on each error line: the editor asks for code actions there.
    for needle in ("Rc::new", "route_all(requests", "tokio::spawn"):
        line = next(i for i, t in enumerate(lines) if needle in t)
        column = lines[line].index(needle)
        rng = {"start": position(line, column), "end": position(line, column)}
        out.append(request("textDocument/codeAction", {
            "textDocument": doc(), "range": rng, "context": {"diagnostics": []}}))
    for needle in ("handle(request)", "log_line(format", "route_all(requests",
                   "Stats::default"):
        line = next(i for i, t in enumerate(lines) if needle in t)
        at = position(line, lines[line].index(needle))
        out.append(request("textDocument/definition", {"textDocument": doc(),
                                                       "position": at}))
        out.append(request("textDocument/documentHighlight", {"textDocument": doc(),
                                                              "position": at}))
    for line, column, typed in EDITS:
        # 1-based line numbers in EDITS, as in an editor.
        start = position(line - 1, column)
        inserted = typed + "\n" + " " * column
        end_line = line - 1 + 1
        out.append(notification("textDocument/didChange", {
            "textDocument": doc(),
            "contentChanges": [{"range": {"start": start, "end": start}, "text": inserted}]}))
        out.append(request("textDocument/completion", {
            "textDocument": doc(), "position": position(line - 1, column + len(typed)),
            "context": {"triggerKind": 2, "triggerCharacter": typed[-1]}}))
        out.append(request("textDocument/semanticTokens/full", {"textDocument": doc()}))
        out.append(request("textDocument/codeAction", {
            "textDocument": doc(), "range": {"start": start, "end": start},
            "context": {"diagnostics": []}}))
        out.append(notification("textDocument/didChange", {
            "textDocument": doc(),
            "contentChanges": [{"range": {"start": start,
                                          "end": position(end_line, column)},
                                "text": ""}]}))
        out.append(request("textDocument/documentSymbol", {"textDocument": doc()}))
    return out


def session() -> dict[str, Any]:
    text = (CRATE / FILE).read_text(encoding="utf-8")
    initialize = {
        "processId": None,
        "rootUri": "${ROOT}",
        "workspaceFolders": [{"uri": "${ROOT}", "name": "async-service"}],
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": False},
            "workspace": {"configuration": False, "workspaceFolders": True},
            "experimental": {"serverStatusNotification": True},
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                "completion": {"completionItem": {"snippetSupport": True}},
                "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                "semanticTokens": {
                    "requests": {"full": True}, "tokenTypes": [], "tokenModifiers": [],
                    "formats": ["relative"]},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                    "valueSet": ["", "quickfix", "refactor", "refactor.extract",
                                 "refactor.inline", "refactor.rewrite"]}},
                    "resolveSupport": {"properties": ["edit"]}},
                "inlayHint": {},
            },
        },
        "initializationOptions": {
            "checkOnSave": True,
            "borrowlens": {"summaryInMessage": True, "explanation": "short"},
        },
    }
    return {
        "description": "An editor reading and editing examples/async-service/src/main.rs "
                       "(written by bench/record.py).",
        "crate": "examples/async-service",
        "initialize": initialize,
        "open": [{"uri": URI, "languageId": "rust", "file": FILE}],
        "round": round_messages(text),
    }


def main() -> None:
    SESSION.parent.mkdir(parents=True, exist_ok=True)
    data = session()
    SESSION.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    requests = sum(m["kind"] == "request" for m in data["round"])
    print(f"wrote {SESSION.relative_to(REPO)}: {len(data['round'])} messages per round "
          f"({requests} requests)")


if __name__ == "__main__":
    main()
