"""`rustc_json.problem`: what cargo printed is read as a rustc diagnostic only when it is shaped
as one (cargo's stdout is shared with build scripts and proc macros); every recorded fixture
diagnostic is, and each malformed shape below is refused with a reason instead of crashing
`from_rustc` or the language server's reshaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.diagnostics.rustc_json import from_rustc, problem
from borrowlens.server.rustc_lsp import to_lsp
from support.fixtures import cases


def test_every_recorded_diagnostic_is_well_formed() -> None:
    for case in cases():
        for raw in case.recorded_raw():
            assert problem(raw) is None, case.id
            from_rustc(raw)


SPAN = {"file_name": "src/lib.rs", "line_start": 1, "line_end": 1, "column_start": 1,
        "column_end": 2, "is_primary": True, "label": None, "text": [], "expansion": None}


def _with(**fields: Any) -> dict[str, Any]:
    return {"level": "error", "message": "m", "code": None, "spans": [SPAN], "children": [],
            "rendered": "error: m", **fields}


@pytest.mark.parametrize("raw", [
    ["a", "list"],
    {"level": "error"},
    _with(message=3),
    _with(spans="nope"),
    _with(spans=[{**SPAN, "line_start": "1"}]),
    _with(spans=[{**SPAN, "column_end": True}]),
    _with(spans=[{**SPAN, "file_name": None}]),
    _with(spans=[{**SPAN, "label": ["x"]}]),
    _with(spans=[{**SPAN, "text": "line"}]),
    _with(spans=[{**SPAN, "expansion": {"span": {**SPAN, "line_end": None}}}]),
    _with(spans=[{**SPAN, "expansion": "macro"}]),
    _with(code="E0000"),
    _with(code={"code": 7}),
    _with(rendered=7),
    _with(children={"a": 1}),
    _with(children=[{"level": "note", "message": "n", "spans": [{"file_name": 1}]}]),
], ids=lambda raw: str(raw)[:60])
def test_malformed_shapes_are_refused(raw: Any) -> None:
    assert problem(raw)


def test_a_well_formed_one_is_accepted() -> None:
    assert problem(_with()) is None
    assert problem(_with(spans=[{**SPAN, "expansion": {"span": SPAN,
                                                       "macro_decl_name": "m!"}}])) is None


def test_an_endless_expansion_chain_is_cut_off() -> None:
    """A span whose macro expansion leads back to itself (a producer that built it in memory)
    or absurdly deep: the readers stop after MAX_EXPANSIONS levels instead of looping."""
    span: dict[str, object] = {"file_name": "/elsewhere/macro.rs", "byte_start": 0,
                               "byte_end": 1, "line_start": 1, "line_end": 1,
                               "column_start": 1, "column_end": 2, "is_primary": True,
                               "text": [], "label": None, "suggested_replacement": None,
                               "suggestion_applicability": None}
    span["expansion"] = {"span": span, "macro_decl_name": "m!", "def_site_span": None}
    raw = {"level": "error", "message": "m", "code": None, "spans": [span], "children": [],
           "rendered": "error: m\n"}
    assert from_rustc(raw).primary is not None
    assert to_lsp(raw, Path("/ws"))
