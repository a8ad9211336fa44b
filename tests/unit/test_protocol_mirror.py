"""The VS Code extension's editors/vscode/src/protocol.ts mirrors server/protocol.py: the same
constants with the same values, the same payload interfaces with the same fields, the same
settings with the same defaults and environment variables.

protocol.ts is read with a few strict regular expressions, not a TypeScript parser: it keeps
one declaration per line in the shapes below, and anything that does not fit them (or a name
on one side only) fails the test, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

from borrowlens.server import protocol

ROOT = Path(__file__).resolve().parents[2]
TS = (ROOT / "editors" / "vscode" / "src" / "protocol.ts").read_text(encoding="utf-8")

CONST = re.compile(r'^export const ([A-Z][A-Z0-9_]*) = ("[^"\\]*"|\d+);$', re.M)
INTERFACE = re.compile(r"^export interface (\w+) \{\n(.*?)^\}$", re.M | re.S)
FIELD = re.compile(r"^  (\w+)(\??): ([^;]+);$")
SETTINGS_BLOCK = re.compile(r"^export const SETTINGS = \{\n(.*?)^\} as const;$", re.M | re.S)
SETTING = re.compile(r'^  (\w+): \{ default: (true|false|"\w+"), env: "(\w+)"'
                     r'(?:, choices: \[((?:"\w+"(?:, )?)*)\])? \},$')
DEPTH = re.compile(r"^export type Depth = (.+);$", re.M)


def _ts_type(hint: object) -> str:
    """How protocol.ts spells a protocol.py field type."""
    if hint is str:
        return "string"
    if hint is int:
        return "number"
    if hint is bool:
        return "boolean"
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return f"{_ts_type(item)}[]"
    if hint == protocol.Depth:
        return "Depth"
    if isinstance(hint, type) and typing.is_typeddict(hint):
        return hint.__name__
    raise AssertionError(f"protocol.py uses a type the mirror test cannot spell: {hint!r}")


def _python_constants() -> dict[str, object]:
    return {name: value for name, value in vars(protocol).items()
            if name.isupper() and not name.startswith("_")
            and isinstance(value, str | int) and not isinstance(value, bool)}


def _python_interfaces() -> dict[str, dict[str, tuple[bool, str]]]:
    """TypedDict name -> field -> (optional, TypeScript type)."""
    out: dict[str, dict[str, tuple[bool, str]]] = {}
    for name, value in vars(protocol).items():
        if isinstance(value, type) and typing.is_typeddict(value) \
                and value.__module__ == protocol.__name__:
            # NotRequired is read from the hints: with postponed annotations Python 3.11
            # leaves it out of __optional_keys__ (total=False is there either way).
            hints = typing.get_type_hints(value, include_extras=True)
            optional: frozenset[str] = getattr(value, "__optional_keys__", frozenset())
            fields: dict[str, tuple[bool, str]] = {}
            for field, hint in hints.items():
                not_required = typing.get_origin(hint) is typing.NotRequired
                inner = typing.get_args(hint)[0] if not_required else hint
                fields[field] = (field in optional or not_required, _ts_type(inner))
            out[name] = fields
    return out


def _ts_interfaces() -> dict[str, dict[str, tuple[bool, str]]]:
    out: dict[str, dict[str, tuple[bool, str]]] = {}
    for match in INTERFACE.finditer(TS):
        fields: dict[str, tuple[bool, str]] = {}
        for line in match.group(2).split("\n"):
            if not line.strip():
                continue
            found = FIELD.match(line)
            assert found, f"protocol.ts interface {match.group(1)}: unexpected line {line!r}"
            fields[found.group(1)] = (found.group(2) == "?", found.group(3))
        out[match.group(1)] = fields
    return out


def test_constants_agree() -> None:
    ts = {name: json.loads(value) for name, value in CONST.findall(TS)}
    exported = re.findall(r"^export const ([A-Z][A-Z0-9_]*) ", TS, re.M)
    assert sorted(ts) == sorted(n for n in exported if n != "SETTINGS"), \
        "a constant in protocol.ts is not a one-line string or number literal"
    assert ts == _python_constants()


def test_payload_interfaces_agree() -> None:
    assert _ts_interfaces() == _python_interfaces()


def test_depth_agrees() -> None:
    found = DEPTH.search(TS)
    assert found, "protocol.ts declares `export type Depth = ...;`"
    choices = [json.loads(part) for part in found.group(1).split(" | ")]
    assert tuple(choices) == typing.get_args(protocol.Depth)


def test_settings_agree() -> None:
    block = SETTINGS_BLOCK.search(TS)
    assert block, "protocol.ts declares `export const SETTINGS = { ... } as const;`"
    ts: list[tuple[str, object, str, tuple[str, ...]]] = []
    for line in block.group(1).strip("\n").split("\n"):
        found = SETTING.match(line)
        assert found, f"protocol.ts SETTINGS: unexpected line {line!r}"
        key, default, env, choices = found.groups()
        ts.append((key, json.loads(default), env,
                   tuple(json.loads(f"[{choices}]")) if choices is not None else ()))
    python = [(s.key, s.default, s.env, s.choices) for s in protocol.SETTINGS]
    assert ts == python
    # The section's TypedDict names the same keys (its types are checked with the interfaces).
    assert [s.key for s in protocol.SETTINGS] == list(protocol.SettingsSection.__annotations__)


def test_the_mirror_test_sees_every_declaration() -> None:
    # Guards the regular expressions themselves: were one to stop matching, the comparisons
    # above could pass on two empty sides.
    assert {"PROTOCOL_VERSION", "DATA_KEY", "EXPLAIN_COMMAND", "SETTINGS_SECTION"} \
        <= set(_python_constants())
    assert {"DiagnosticData", "CodeActionData", "SettingsSection"} <= set(_ts_interfaces())
