"""What the proxy changes in the traffic between the editor and rust-analyzer.

The proxy (`proxy.py`) moves frames; this decides, for the few messages borrowlens cares
about, what to do with them, on plain dicts:

* editor → rust-analyzer: document and settings notifications update the session;
  `initialize` loses its `borrowlens` options (`without_settings`, which needs no session, so
  `initialize` is forwarded before the session's modules have loaded); `codeAction/resolve`
  for borrowlens' own actions and `workspace/executeCommand borrowlens.explain` are answered
  here;
* rust-analyzer → editor: `publishDiagnostics` gains borrowlens' data on recognised
  diagnostics; the results of `hover` and `codeAction` get borrowlens' explanation / quick
  fixes merged in; the `initialize` result advertises the `borrowlens.explain` command
  (`advertised`) and tells the session the position encoding.

Each method returns None when the message is to pass unchanged (the proxy then forwards the
bytes it read).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from borrowlens.server.protocol import DATA_KEY, EXPLAIN_COMMAND, SETTINGS_SECTION, JsonDict

if TYPE_CHECKING:  # the session's modules load while rust-analyzer starts (proxy.py)
    from borrowlens.server.session import Session

log = logging.getLogger("borrowlens")


# Requests whose results the proxy may change (`Interceptor.response`; `initialize`'s by
# `advertised`).
MERGED = frozenset({"initialize", "textDocument/hover", "textDocument/codeAction"})
# Messages from the editor `Interceptor.request` reads; every other one goes on untouched.
INTERCEPTED = frozenset({
    "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
    "workspace/didChangeConfiguration", "codeAction/resolve", "workspace/executeCommand"})


@dataclass(frozen=True)
class Answer:
    """A request borrowlens answers itself: `result` goes back, nothing goes on."""

    result: Any


class Interceptor:
    """The proxy's changes to one editor session's messages."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- editor -> rust-analyzer ----------------------------------------------------------

    def request(self, method: str, ident: Any, params: Any) -> Answer | None:
        """Updates the session from a request or notification; an Answer when borrowlens
        answers it and nothing is forwarded."""
        session = self.session
        if method == "textDocument/didOpen":
            session.open(params)
        elif method == "textDocument/didChange":
            session.change(params)
        elif method == "textDocument/didClose":
            session.close(params)
        elif method == "workspace/didChangeConfiguration" and isinstance(params, dict):
            settings = params.get("settings")
            if isinstance(settings, Mapping):
                session.configure(settings.get(SETTINGS_SECTION))
        elif method == "codeAction/resolve" and ident is not None and isinstance(params, dict):
            data = params.get("data")
            if isinstance(data, Mapping) and DATA_KEY in data:
                # borrowlens' actions carry their edit already: resolving is the identity.
                return Answer(params)
        elif (method == "workspace/executeCommand" and ident is not None
              and isinstance(params, dict) and params.get("command") == EXPLAIN_COMMAND):
            return Answer(session.explain(params.get("arguments")))
        return None

    def initialize(self, params: JsonDict) -> None:
        """Configures the session from `initialize` params: the `borrowlens` options, and the
        workspace folders, which quick fixes stay inside."""
        self.session.set_workspace(params)
        options = params.get("initializationOptions")
        if isinstance(options, Mapping) and SETTINGS_SECTION in options:
            self.session.configure(options[SETTINGS_SECTION])

    # --- rust-analyzer -> editor ----------------------------------------------------------

    def publish(self, params: JsonDict) -> JsonDict | None:
        """publishDiagnostics params enriched (never fails: RA's diagnostics go on as sent)."""
        try:
            return self.session.enrich(params)
        except Exception:
            log.exception("borrowlens could not enrich diagnostics; forwarding them")
            return None

    def may_merge(self, method: str, params: Any) -> bool:
        """Whether `response` may change a hover or code-action result (cheap: only reads
        what was recognised, runs no analysis); False means forward it untouched."""
        try:
            uri = params["textDocument"]["uri"]
            if method == "textDocument/hover":
                return self.session.settings.hover and bool(
                    self.session.recognised.at(uri, params["position"]))
            if method == "textDocument/codeAction":
                return bool(self.session.recognised.overlapping(uri, params["range"]))
        except (KeyError, TypeError):
            return True  # let `response` decide (and log what is wrong)
        return False

    def response(self, method: str, params: Any, result: Any) -> Any | None:
        """A changed result for the editor, or None to forward rust-analyzer's bytes."""
        try:
            if method == "textDocument/hover" and isinstance(params, Mapping):
                uri = params["textDocument"]["uri"]
                # A Position, or a Range (rust-analyzer's range hover: the client sends the
                # selection, or the cursor as an empty range).
                return self.session.merge_hover(result, uri, params["position"])
            if method == "textDocument/codeAction" and isinstance(params, Mapping):
                return self._code_actions(params, result)
        except Exception:
            log.exception("borrowlens could not merge the %s response", method)
        return None

    def _code_actions(self, params: Mapping[str, Any], result: Any) -> list[Any] | None:
        ours = self.session.code_actions(params["textDocument"]["uri"], params["range"])
        if not ours:
            return None
        only = (params.get("context") or {}).get("only")
        # A requested kind covers its sub-kinds; "" covers every kind.
        if only and not any(k in ("", "quickfix") or "quickfix".startswith(k + ".")
                            for k in only):
            return None
        theirs = result if isinstance(result, list) else []
        if any(a.get("isPreferred") for a in ours):
            # One preferred action per diagnostic; borrowlens' proven fix wins.
            covered = {json.dumps(d, sort_keys=True) for a in ours
                       for d in a.get("diagnostics", ())}
            theirs = [_unprefer(a, covered) for a in theirs]
        return [*ours, *theirs]

    def initialized(self, result: Any) -> None:
        """Takes the position encoding from rust-analyzer's `initialize` result."""
        capabilities = result.get("capabilities") if isinstance(result, dict) else None
        encoding = capabilities.get("positionEncoding") if isinstance(capabilities, dict) \
            else None
        self.session.encoding = str(encoding) if encoding else "utf-16"


def without_settings(params: JsonDict) -> JsonDict | None:
    """`initialize` params without the `borrowlens` options (rust-analyzer would warn about
    unknown settings); None when there are none."""
    options = params.get("initializationOptions")
    if isinstance(options, Mapping) and SETTINGS_SECTION in options:
        rest = {k: v for k, v in options.items() if k != SETTINGS_SECTION}
        return {**params, "initializationOptions": rest}
    return None


def advertised(result: JsonDict) -> JsonDict:
    """rust-analyzer's `initialize` result with the `borrowlens.explain` command added."""
    capabilities = dict(result.get("capabilities") or {})
    provider = dict(capabilities.get("executeCommandProvider") or {})
    commands = list(provider.get("commands") or [])
    if EXPLAIN_COMMAND not in commands:
        commands.append(EXPLAIN_COMMAND)
    provider["commands"] = commands
    capabilities["executeCommandProvider"] = provider
    return {**result, "capabilities": capabilities}


def _unprefer(action: Any, covered: set[str]) -> Any:
    if isinstance(action, dict) and action.get("isPreferred"):
        diagnostics = action.get("diagnostics") or ()
        if any(json.dumps(d, sort_keys=True) in covered for d in diagnostics):
            return {**action, "isPreferred": False}
    return action
