"""What the language server knows during a session, and the LSP features built on it.

Both front doors use this: the proxy (payloads are plain dicts taken from, and put back into,
rust-analyzer's traffic) and the standalone pygls server. A session is the editor's text
(`Documents`: open documents, the position encoding), the user's `borrowlens` settings, and
the diagnostics last published per file (`Recognised`, which enriches them); on those it
answers hover (borrowlens' explanation first), quick fixes with versioned workspace edits,
and the `borrowlens.explain` command.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.server import templates, verifier
from borrowlens.server.documents import Documents, path_to_uri, uri_to_path
from borrowlens.server.enrichment import Entry, Recognised
from borrowlens.server.protocol import DATA_KEY, NO_EXPLANATION, CodeActionData, JsonDict, Settings
from borrowlens.server.verify import Verdict

log = logging.getLogger("borrowlens")


def _story(entry: Entry, documents: Documents) -> str | None:
    """The annotated code and the change for the full explanation; None when it fails (the
    explanation is worth more than its annotated code)."""
    match = entry.match
    try:
        return story.code_story(match, documents, entry.offered(documents))
    except Exception:
        log.exception("borrowlens could not annotate the code for %s", match.family.id)
        return None


def _explanations(entries: list[Entry], depth: str, documents: Documents) -> str:
    """The entries' explanations as one markdown text, each distinct one once, at `depth`
    (the `explanation` setting: short, full or teach)."""
    texts: list[str] = []
    full = depth != "short"
    for entry in entries:
        text = render.markdown(entry.match.family.explain(entry.match), full=full,
                               story=_story(entry, documents) if full else None,
                               teach=depth == "teach")
        if text not in texts:
            texts.append(text)
    return "\n\n---\n\n".join(texts)


class Session(Documents):
    """Documents, settings and recognised diagnostics of one editor session."""

    def __init__(self) -> None:
        super().__init__()
        # The first explanation of the session loads its template compiled by an earlier
        # process instead of compiling it (server/templates.py).
        templates.keep_compiled()
        self.settings = Settings.from_environ(os.environ)
        self.recognised = Recognised()
        # Proves offered fixes in the background (server/verifier.py).
        self.verifier = verifier.Verifier(lambda: verifier.jobs(self.recognised, self))

    def configure(self, raw: object) -> None:
        """Applies the client's `borrowlens` settings; enrichment is redone with them."""
        self.settings.update(raw)
        self.recognised.forget()
        if not self.settings.verify_fixes:
            self.verifier.offer([])

    def close(self, params: Mapping[str, Any]) -> None:
        super().close(params)
        self.recognised.close(params["textDocument"]["uri"])

    def enrich(self, params: Mapping[str, Any]) -> JsonDict | None:
        """publishDiagnostics params with recognised diagnostics enriched, or None when
        nothing was recognised (the caller then forwards the original bytes)."""
        enriched = self.recognised.enrich(params, self, self.settings)
        if self.settings.verify_fixes:
            self.verifier.soon()
        return enriched

    def change(self, params: Mapping[str, Any]) -> None:
        super().change(params)
        self.verifier.changed(Path(uri_to_path(params["textDocument"]["uri"])))

    # --- hover ----------------------------------------------------------------------------

    def hover_markdown(self, uri: str, position: Mapping[str, Any]) -> tuple[str, JsonDict] | None:
        """The explanation of the recognised diagnostics under the cursor, and their range."""
        if not self.settings.hover:
            return None
        found = self.recognised.at(uri, position)
        if not found:
            return None
        return (_explanations(found, self.settings.explanation, self),
                found[0].lsp["range"])

    def merge_hover(self, result: Any, uri: str, position: Mapping[str, Any]) -> Any | None:
        """rust-analyzer's hover with borrowlens' explanation first; None when unchanged."""
        ours = self.hover_markdown(uri, position)
        if ours is None:
            return None
        text, rng = ours
        if not isinstance(result, Mapping) or "contents" not in result:
            return {"contents": {"kind": "markdown", "value": text}, "range": rng}
        contents = result["contents"]
        merged = dict(result)
        if isinstance(contents, Mapping) and "kind" in contents:
            theirs = str(contents.get("value", ""))
            merged["contents"] = {"kind": "markdown",
                                  "value": f"{text}\n\n---\n\n{theirs}" if theirs else text}
        elif isinstance(contents, list):
            merged["contents"] = [text, *contents]
        else:
            merged["contents"] = [text, contents]
        return merged

    # --- code actions ---------------------------------------------------------------------

    def code_actions(self, uri: str, rng: Mapping[str, Any]) -> list[JsonDict]:
        """borrowlens' quick fixes for the recognised diagnostics in the range."""
        actions: list[JsonDict] = []
        verdicts: list[Verdict | None] = []
        # Two diagnostics on one closure can lead to the same edit: offered once, for both.
        by_edit: dict[str, JsonDict] = {}
        open_digest = verifier.open_texts(self)[0] if self.settings.verify_fixes else ""
        for entry in self.recognised.overlapping(uri, rng):
            stale = entry.stale(self)
            if stale is not None:
                log.info("not offering fixes: %s changed since the diagnostic", stale)
                continue
            state = verifier.entry_state(open_digest, entry)
            for fix in entry.offered(self):
                edit = self.workspace_edit(fix)
                if edit is None:
                    continue
                key = json.dumps(edit, sort_keys=True)
                if key in by_edit:
                    by_edit[key]["diagnostics"].append(entry.lsp)
                    continue
                verdict = (self.verifier.verdict(state, fix) if self.settings.verify_fixes
                           else None)
                verdicts.append(verdict)
                action: JsonDict = {
                    "title": verifier.action_title(fix.title, verdict),
                    "kind": "quickfix",
                    "diagnostics": [entry.lsp],
                    "isPreferred": fix.preferred,
                    "edit": edit,
                    "data": {DATA_KEY: CodeActionData(family=entry.match.family.id,
                                                      fix=fix.id)},
                }
                by_edit[key] = action
                actions.append(action)
        return verifier.verified_first(actions, verdicts)

    def workspace_edit(self, fix: Fix) -> JsonDict | None:
        """The fix as versioned document edits (None if a file cannot be read)."""
        by_file: dict[str, list[JsonDict]] = {}
        for edit in fix.edits:
            if self.text(edit.file) is None:
                return None
            by_file.setdefault(edit.file, []).append({
                "range": self.lsp_range(edit.file, edit.line_start, edit.column_start,
                                        edit.line_end, edit.column_end),
                "newText": edit.new_text})
        changes = []
        for path, edits in by_file.items():
            uri = path_to_uri(path)
            changes.append({"textDocument": {"uri": uri, "version": self.version(uri)},
                            "edits": edits})
        return {"documentChanges": changes}

    # --- the explain command --------------------------------------------------------------

    def explain(self, arguments: list[Any] | None) -> str:
        """Full markdown (with the background at the teach depth) for `borrowlens.explain`
        [uri, position] (or the diagnostics of a whole file when no position is given)."""
        args = list(arguments or [])
        if args and isinstance(args[0], Mapping):  # {uri, position}
            first = args[0]
            args = [first.get("uri"), first.get("position")]
        uri = str(args[0]) if args else ""
        position = args[1] if len(args) > 1 and isinstance(args[1], Mapping) else None
        if position is not None:
            entries = self.recognised.at(uri, position)
        else:
            entries = self.recognised.entries.get(uri, [])
        if not entries:
            return NO_EXPLANATION
        # The explain view is always the full text; the teach setting adds its background there too.
        depth = "teach" if self.settings.explanation == "teach" else "full"
        return _explanations(entries, depth, self)
