"""The fixes of lifetime-not-tied: rustc's explicit-lifetime edit (E0621), a `'static` result
tied to the input it is built from, and the outlives bound rustc names between two declared
lifetimes. Each edits the function's own signature and is offered only when it is the whole
change (see `LifetimeNotTied.fixes`, which picks one by the diagnostic's facts)."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.fixes.suggestions import rustc_suggestion_edits
from borrowlens.analyses.rust import items

_LSP_HELP = re.compile(r"^(?P<message>add explicit lifetime `[^`]+` to (?:the type of `[^`]+`|"
                       r"type)): `(?P<replacement>[^`]*)`$")



def explicit_fix(diagnostic: Diagnostic, match: Match, file: SourceFile,
                  function: tree_sitter.Node) -> Fix | None:
    """rustc's single-edit suggestion (from its JSON, or from the help rust-analyzer
    relays as a related span), when it lands inside the function's parameters."""
    edits = rustc_suggestion_edits(diagnostic, contains="add explicit lifetime",
                                   applicability=("MachineApplicable", "MaybeIncorrect",
                                                  "Unspecified", "HasPlaceholders"))
    if not edits:
        for span, label in diagnostic.labels():
            found = _LSP_HELP.match(label)
            if found is not None and not span.is_primary:
                edits.append(TextEdit(span.file, span.line_start, span.column_start,
                                      span.line_end, span.column_end,
                                      found.group("replacement")))
    parameters = function.child_by_field_name("parameters")
    if len(edits) != 1 or parameters is None or edits[0].file != file.path:
        return None
    start = file.byte_at(edits[0].line_start, edits[0].column_start)
    end = file.byte_at(edits[0].line_end, edits[0].column_end)
    if not parameters.start_byte <= start <= end <= parameters.end_byte:
        return None
    required = match.fact("required") or "'a"
    pattern, suggested = match.fact("pattern"), match.fact("suggested_type")
    if pattern and suggested:
        title = f"Give the parameter `{pattern}` the type `{suggested}`"
    else:
        title = f"Give `{match.fact('source') or 'the parameter'}` the lifetime `{required}`"
    return make_fix("explicit-lifetime", title, edits, preferred=True)


def static_fix(match: Match, file: SourceFile,
                function: tree_sitter.Node) -> Fix | None:
    """`fn f(x: &T) -> &'static U` returning data from `x` → `fn f<'a>(x: &'a T) -> &'a U`."""
    source = match.fact("source")
    result = function.child_by_field_name("return_type")
    if match.fact("action") != "returning" or not source or result is None:
        return None
    param = signatures.parameter_named(file, function, source)
    if param is None:
        return None
    kind = param if param.type == "self_parameter" else param.child_by_field_name("type")
    if kind is None:
        return None
    named = {file.node_text(n) for n in items.lifetimes(kind)} - {"'_"}
    edits: list[TextEdit] = []
    if named:
        if len(named) != 1 or "'static" in named:
            return None
        lifetime = next(iter(named))
    else:
        lifetime = signatures.fresh_lifetime(signatures.lifetimes_in_scope(file, function))
        declared = signatures.declare_lifetime(file, function, lifetime)
        on_param = (signatures.tie_self(file, param, lifetime) if param.type == "self_parameter"
                    else signatures.tie_type(file, kind, lifetime))
        if declared is None or on_param is None:
            return None
        edits.append(declared)
        edits.extend(on_param if isinstance(on_param, list) else [on_param])
    if match.fact("callers_rely"):
        # Weakening `-> &'static T` to `-> &'a T` breaks every caller that keeps the result
        # beyond the argument; whether any does is theirs to decide.
        return None
    on_result = signatures.tie_type(file, result, lifetime, replace=("'static", "'_"))
    if on_result is None or "'static" not in file.node_text(result):
        return None
    edits.extend(on_result)
    name = file.node_text(function.child_by_field_name("name") or function)
    return make_fix("tie-to-input",
                    f"Return data borrowed from `{source}` (`{lifetime}`) instead of "
                    f"`'static` in `{name}`", edits, preferred=True)


def bound_fix(match: Match, file: SourceFile,
               function: tree_sitter.Node) -> Fix | None:
    """Two named lifetimes: declare that the longer-needed one outlives the other
    (`'d: 'h`) where it is declared, on the function or its inherent impl."""
    lifetimes = match.facts.get("lifetimes")
    if not isinstance(lifetimes, list) or len(lifetimes) != 2:
        return None
    long, short = lifetimes
    if any(lt.strip("'").isdigit() or lt in ("'static", "'_") for lt in (long, short)):
        return None
    declared = signatures.declaring_parameter(file, function, long)
    if declared is None or signatures.declaring_parameter(file, function, short) is None:
        return None
    if match.fact("reverse_bound"):
        # `'min: 'max` next to an existing `'max: 'min` makes the two lifetimes one: the
        # signature would lose the distinction its callers rely on.
        return None
    edit = signatures.add_outlives(file, declared, short)
    return make_fix("add-lifetime-bound",
                    f"Require `{long}: {short}` (`{long}` outlives `{short}`)", [edit],
                    preferred=True)
