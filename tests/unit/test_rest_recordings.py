"""Every REST recording (tests/recordings/rest/*.json) against the spec.

The recorded request (method, path, every parameter incl. `api_key`/`sign`) and response body are
validated against the operation in `specs/hotbit-rest.openapi.yaml` (JSON Schema, OpenAPI 3.0
`nullable` honoured), and the recorded signature is recomputed from the root `x-signature`. The
replay through the SDK: sdk/test_rest_contract.py.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from support import REST_API_KEY, REST_SECRET_KEY
from support.rest import RECORDINGS, SPEC

from generator import validate
from generator.mock import Recording, compute_signature


def _ids(recordings: list[Recording]) -> list[str]:
    return [r.name for r in recordings]


@cache
def _validator(doc_path: str, pointer: str) -> Any:
    """A JSON Schema validator for the schema at doc#pointer, built by the generator's own
    bundler (refs inlined, OpenAPI 3.0 nullable -> type union, annotations dropped)."""
    kind = validate.detect_kind(SPEC.doc)
    assert isinstance(kind, validate.Kind)
    ctx = validate._Context(SPEC.doc, SPEC.resolver, kind)
    doc = SPEC.doc if str(SPEC.doc.path) == doc_path else SPEC.resolver.document(SPEC.doc, doc_path)
    schema = SPEC.resolver.lookup(doc, pointer)
    return validate._validator_for(ctx, schema, doc, pointer)


def _schema_errors(value: Any, doc_path: str, pointer: str) -> list[str]:
    validator = _validator(doc_path, pointer)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(value)
    ]


# --------------------------------------------------------------------------------------------
# (a) recordings against the spec


@pytest.mark.parametrize("rec", RECORDINGS, ids=_ids(RECORDINGS))
def test_recorded_request_matches_spec(rec: Recording) -> None:
    op = SPEC.operations[rec.operation]
    assert rec.method == op.method, f"{rec.method} but the spec declares {op.method}"
    assert rec.path == SPEC.base_path + op.path
    declared = {p.name: p for p in op.params}
    assert set(rec.params) <= set(declared), f"undeclared: {set(rec.params) - set(declared)}"
    missing = {p.name for p in op.params if p.required} - set(rec.params)
    assert not missing, f"required parameters missing: {missing}"
    problems = []
    for name, value in SPEC.coerce(op, rec.params).items():
        p = declared[name]
        problems += [
            f"{name}={rec.params[name]!r}: {e}"
            for e in _schema_errors(value, str(p.doc.path), p.pointer)
        ]
    assert not problems, "\n".join(problems)
    if op.signed:
        assert SPEC.signature is not None
        assert rec.params[SPEC.signature.key_parameter] == REST_API_KEY
        sign = compute_signature(SPEC.signature, rec.params, REST_API_KEY, REST_SECRET_KEY)
        assert rec.params[SPEC.signature.parameter] == sign, "recorded signature is wrong"
    else:
        assert SPEC.signature is None or SPEC.signature.parameter not in rec.params


@pytest.mark.parametrize("rec", RECORDINGS, ids=_ids(RECORDINGS))
def test_recorded_response_matches_spec(rec: Recording) -> None:
    op = SPEC.operations[rec.operation]
    assert rec.status == 200
    assert rec.headers.get("content-type", "").startswith("application/json")
    if rec.json_body is None:  # the garbled case: must really not be JSON
        with pytest.raises(ValueError):
            json.loads(rec.body)
        return
    assert op.response_schema is not None
    _schema, doc, pointer = op.response_schema
    problems = _schema_errors(rec.json_body, str(doc.path), pointer)
    assert not problems, "\n".join(problems)
    if SPEC.is_error_body(rec.json_body):
        assert SPEC.envelope is not None
        assert rec.json_body.get(SPEC.envelope.result) is None, "error envelope with a result"
