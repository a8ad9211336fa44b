"""borrowlens' wire contract with its clients, declared once.

What a client may rely on beyond plain LSP: the `data.borrowlens` payload on the diagnostics
borrowlens recognised (and on its code actions), the `borrowlens.explain` command with its
arguments and answer, and the `borrowlens` settings section with the environment variables
that stand in for it. The proxy, the standalone server and the session build and read these
through this module; the VS Code extension mirrors it in editors/vscode/src/protocol.ts
(tests/unit/test_protocol_mirror.py fails when the two drift apart).

The payloads are TypedDicts because the proxy keeps every message a plain dict: lsprotocol's
typed model would drop rust-analyzer's extensions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

log = logging.getLogger("borrowlens")

# A JSON object as borrowlens reads and writes it (LSP payloads, cargo's messages).
JsonDict = dict[str, Any]

# Raised when a field changes meaning or goes away; a new optional field keeps the number.
PROTOCOL_VERSION = 1

# --- diagnostics and code actions -------------------------------------------------------------

# The key under a recognised diagnostic's (and a borrowlens code action's) `data`; every other
# key of `data` (rust-analyzer's `rendered`) is kept as it came.
DATA_KEY = "borrowlens"


class DiagnosticData(TypedDict):
    """`diagnostic.data.borrowlens`: what borrowlens recognised in a diagnostic."""

    family: str  # the family id (`borrowlens explain --list`)
    title: str
    tldr: str  # one line, what the hover and the message summary start with
    fixes: list[str]  # ids of the quick fixes offered for it, preferred first
    # The numbered places of the full explanation's "Your code, annotated", in its order (at
    # most analyses/explain/annotate.MAX_MARKERS); sent on every recognised diagnostic, may be
    # empty. Optional for clients: servers before it did not send it.
    markers: NotRequired[list[Marker]]


# Characters of a marker's text at most; a longer one is cut and ends with "…".
MARKER_TEXT_LIMIT = 160


class Marker(TypedDict):
    """A place the explanation numbers, for an editor to show beside its line (VS Code as an
    inline decoration, Neovim as virtual text) while the cursor is on the diagnostic."""

    uri: str
    range: Range  # the place itself: its first line is the line the marker belongs to
    label: str  # its number as the explanation prints it: "①"
    text: str  # what happens there: "`shared` is declared here"


class CodeActionData(TypedDict):
    """`codeAction.data.borrowlens`: marks borrowlens' own quick fixes, which carry their edit
    already (resolving one answers it unchanged)."""

    family: str
    fix: str


# --- the explain command ----------------------------------------------------------------------

# workspace/executeCommand; arguments [uri, position] or [ExplainTarget]; no position means
# every recognised diagnostic of the file. The answer is markdown: the full explanation of the
# recognised diagnostics at the position, or NO_EXPLANATION.
EXPLAIN_COMMAND = "borrowlens.explain"
NO_EXPLANATION = "borrowlens has no explanation for this position."


class Position(TypedDict):
    """An LSP position (zero-based, in the negotiated encoding)."""

    line: int
    character: int


class Range(TypedDict):
    """An LSP range (zero-based lines, columns in the negotiated encoding: UTF-16 by default)."""

    start: Position
    end: Position


class ExplainTarget(TypedDict):
    """The explain command's argument in object form."""

    uri: str
    position: NotRequired[Position]


# --- settings ---------------------------------------------------------------------------------

# The section's name in initializationOptions and in didChangeConfiguration's settings.
SETTINGS_SECTION = "borrowlens"

# How much of the explanation the hover shows: short (capped to read without scrolling), full
# (the explain view's text), teach (full, and the general background of that kind of error).
Depth = Literal["short", "full", "teach"]


class SettingsSection(TypedDict, total=False):
    """The `borrowlens` settings section a client sends; anything missing keeps its value."""

    summaryInMessage: bool  # append "borrowlens: <tldr>" to the diagnostic's message
    hover: bool  # borrowlens' explanation in the hover
    explanation: Depth  # how much of it the hover shows
    verifyFixes: bool  # prove each offered fix with `cargo check` on a copy, in the background


@dataclass(frozen=True)
class Setting:
    """One key of the section: its default, and the environment variable that sets it for
    clients that can pass only an environment (the VS Code rust-analyzer extension's
    `server.extraEnv`)."""

    key: str
    attribute: str  # the `Settings` attribute it sets
    default: bool | str
    env: str
    choices: tuple[str, ...] = ()


SETTINGS = (
    Setting("summaryInMessage", "summary_in_message", True, "BORROWLENS_SUMMARY_IN_MESSAGE"),
    Setting("hover", "hover", True, "BORROWLENS_HOVER"),
    Setting("explanation", "explanation", "short", "BORROWLENS_EXPLANATION",
            ("short", "full", "teach")),
    Setting("verifyFixes", "verify_fixes", True, "BORROWLENS_VERIFY_FIXES"),
)

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _accepts(setting: Setting, value: object) -> bool:
    if isinstance(setting.default, bool):
        return isinstance(value, bool)
    return value in setting.choices


def _from_env(setting: Setting, text: str) -> bool | str | None:
    """The value an environment variable gives a setting, or None (unset or not valid)."""
    value = text.strip().lower()
    if not value:
        return None
    if isinstance(setting.default, bool):
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        log.warning("ignoring %s=%r: expected true or false", setting.env, value)
        return None
    if value in setting.choices:
        return value
    log.warning("ignoring %s=%r: expected %s", setting.env, value, " or ".join(setting.choices))
    return None


class Settings:
    """The settings in force: the defaults, then the environment, then the client's section."""

    summary_in_message: bool
    hover: bool
    explanation: str  # one of Depth
    verify_fixes: bool

    def __init__(self) -> None:
        for setting in SETTINGS:
            setattr(self, setting.attribute, setting.default)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Defaults from the environment, for clients that cannot send a section."""
        settings = cls()
        for setting in SETTINGS:
            value = _from_env(setting, environ.get(setting.env, ""))
            if value is not None:
                setattr(settings, setting.attribute, value)
        return settings

    def update(self, raw: object) -> None:
        """Applies a client's section; keys missing or of the wrong type are left alone."""
        if not isinstance(raw, Mapping):
            return
        for setting in SETTINGS:
            value = raw.get(setting.key)
            if _accepts(setting, value):
                setattr(self, setting.attribute, value)
