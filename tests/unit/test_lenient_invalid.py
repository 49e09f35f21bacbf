"""Documents invalid as published, generated with --lenient: what they say is what they get
(tests/fixtures/edge/lenient-invalid, regressions from real exchange documents)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.pipeline import generate, load_and_check
from generator.problems import SpecError

SPEC = (
    Path(__file__).resolve().parents[1] / "fixtures" / "edge" / "lenient-invalid" / "openapi.yaml"
)


def _operations(tmp_path: Path, package: str) -> tuple[Any, Any]:
    generate(openapi=str(SPEC), asyncapi=None, out=tmp_path / "out", package=package, lenient=True)
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        ops = importlib.import_module(f"{package}._operations")
        return ops, importlib.import_module(f"{package}.errors")
    finally:
        sys.path.remove(str(tmp_path / "out"))


def test_a_type_list_with_a_yaml_null_is_the_nullable_union_it_says(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="type"):
        load_and_check(str(SPEC), lenient=False)  # invalid as published
    ops, errors = _operations(tmp_path, "lenient_nulls")
    quote = ops.post_quote_parse(
        errors.RawResponse(200, {}, b'{"id":"q1","status":null,"note":null}')
    )
    assert (quote.id, quote.status, quote.note) == ("q1", None, None)
    quote = ops.post_quote_parse(errors.RawResponse(200, {}, b'{"id":"q2","status":"open"}'))
    assert (quote.id, quote.status) == ("q2", "open")
    with pytest.raises(errors.DecodeError):
        ops.post_quote_parse(errors.RawResponse(200, {}, b'{"id":"q3","note":7}'))
    ops.post_quote_request(id="q4", status=None, note=None)  # None passes the argument checks


def test_a_property_that_is_no_schema_is_checked_against_no_schema(tmp_path: Path) -> None:
    """`properties: {$ref: ./props.yaml}`: the `$ref` argument's check gets a mapping, not the
    string (that failed `mypy --strict` of the generated package)."""
    ops, errors = _operations(tmp_path, "lenient_refs")
    source = (tmp_path / "out" / "lenient_refs" / "_operations.py").read_text()
    assert "'./props.yaml')" not in source
    request = ops.post_quote_request(id="q1", ref={"any": "thing"})
    assert request is not None
    with pytest.raises(errors.ParameterError):
        ops.post_quote_request(id=7)
