"""The REST model reads the document model: real locations, one collector, one lenient policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from msgspec import UNSET

from generator.load import Resolver, load_document
from generator.model.openapi import build_rest_api
from generator.problems import Diagnostics, Severity, Source, SpecError

SPEC = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: get_a
      parameters:
        - $ref: "./params.yaml#/Odd"
        - $ref: "./params.yaml#/Nameless"
      responses:
        "204": {description: none}
  /b:
    post:
      operationId: post_b
      x-signed: true
      responses:
        "204": {description: none}
"""
PARAMS = """\
Odd:
  name: odd
  in: formData
  schema: {type: string}
Nameless:
  in: query
  schema: {type: string}
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "params.yaml").write_text(PARAMS)
    spec = tmp_path / "api.yaml"
    spec.write_text(SPEC)
    return spec


def test_problems_point_at_the_real_line_of_the_parameter(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path))
    with pytest.raises(SpecError) as caught:
        build_rest_api(doc, Resolver(doc), "pkg")
    errors = {(Path(p.file).name, p.line, p.pointer, p.message) for p in caught.value.problems}
    assert errors == {
        ("params.yaml", 6, "/Nameless", "a parameter needs 'name' and 'in'"),
        ("api.yaml", 15, "/paths/~1b/post/x-signed", "x-signed needs a root x-signature"),
    }


def test_lenient_comes_from_the_collector_and_keeps_the_rest(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path))
    diagnostics = Diagnostics(lenient=True)
    api, warnings = build_rest_api(doc, Resolver(doc), "pkg", diagnostics=diagnostics)
    assert warnings == diagnostics.result() and not diagnostics.errors
    assert all(p.severity is Severity.WARNING and p.source is Source.MODEL for p in warnings)
    where = {(Path(p.file).name, p.line, p.pointer) for p in warnings}
    assert ("params.yaml", 2, "/Odd") in where  # `in: formData`: left out, with its own line
    assert ("params.yaml", 6, "/Nameless") in where
    assert api.operations == []  # both operations failed: left out, not half built


def test_an_unfollowable_ref_is_a_located_problem(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      operationId: a\n      responses:\n        '200': {$ref: './gone.yaml#/R'}\n"
    )
    doc = load_document(spec)
    api, warnings = build_rest_api(doc, Resolver(doc), "pkg", lenient=True)
    [problem] = warnings
    assert (problem.line, problem.pointer) == (8, "/paths/~1a/get/responses/200/$ref")
    assert [op.py_name for op in api.operations] == ["a"]  # the operation is kept
    with pytest.raises(SpecError):
        build_rest_api(doc, Resolver(doc), "pkg")


NAMES = Path(__file__).resolve().parents[1] / "fixtures" / "edge" / "unusable-names.yaml"


def test_unusable_operation_ids_and_inline_schemas_get_names_from_their_place() -> None:
    doc = load_document(NAMES)
    api, warnings = build_rest_api(doc, Resolver(doc), "pkg")
    assert [op.py_name for op in api.operations] == [
        "get_account_detail_spot",  # from the summary
        "get_api_v1_user_info",  # no summary: method and path
    ]
    assert [op.operation_id for op in api.operations] == ["001", "002"]  # the wire id is kept
    assert sorted((p.line, p.message) for p in warnings) == [
        (8, "operationId '001' is no usable name: named it 'get_account_detail_spot'"),
        (33, "operationId '002' is no usable name: named it 'get_api_v1_user_info'"),
    ]
    assert api.operations[0].result.model == "GetAccountDetailSpotResult"
    assert set(api.models.schemas) == {
        "GetAccountDetailSpotResult",
        "GetAccountDetailSpotResultData",
        "GetAccountDetailSpotResultDataHoldsItem",
    }


def test_generation_ends_with_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator import cli

    out = tmp_path / "out"
    assert (
        cli.main(["generate", "--openapi", str(NAMES), "--package", "names", "--out", str(out)])
        == 0
    )
    stdout, stderr = capsys.readouterr()
    assert stdout.splitlines()[-1] == (
        f"generated names in {out}: 2 operations, 3 models, 4 warnings"
    )  # two names made up, two operations without a response example
    assert stderr.count("warning:") == 4 and stderr.count("is no usable name") == 2
    client = (out / "names" / "client.py").read_text()
    assert "def get_account_detail_spot(" in client and "def get_api_v1_user_info(" in client


def test_form_and_text_responses_decode_per_their_schema(tmp_path: Path) -> None:
    import importlib
    import sys

    from generator.pipeline import generate

    spec = Path(__file__).resolve().parents[1] / "fixtures" / "edge" / "text-responses.yaml"
    generate(openapi=str(spec), asyncapi=None, out=tmp_path / "out", package="text_api")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        ops = importlib.import_module("text_api._operations")
        errors = importlib.import_module("text_api.errors")
    finally:
        sys.path.remove(str(tmp_path / "out"))

    def raw(body: bytes) -> Any:
        return errors.RawResponse(200, {}, body)

    assert ops.get_count_parse(raw(b"42")) == 42
    token = ops.get_token_parse(raw(b"access_token=a%20b&expires_in=3600"))
    assert (token.access_token, token.expires_in, token.scope) == ("a b", 3600, UNSET)
    assert ops.get_blob_parse(raw(b"\x00as is")) == b"\x00as is"  # no schema: the bytes
    with pytest.raises(errors.DecodeError):
        ops.get_count_parse(raw(b"many"))


def test_a_property_that_is_no_schema_checks_nothing(tmp_path: Path) -> None:
    """Kraken Pay (as published): `properties: {$ref: ./file.yaml}` names a property `$ref`."""
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n"
        "      operationId: a\n      requestBody:\n        content:\n          application/json:\n"
        "            schema: {type: object, properties: {$ref: ./props.yaml, n: {type: integer}}}\n"
        "      responses: {'204': {description: none}}\n"
    )
    doc = load_document(spec)
    api, _ = build_rest_api(doc, Resolver(doc), "pkg", lenient=True)
    params = {p.name: p for p in api.operations[0].params}
    assert params["$ref"].schema == {} and str(params["$ref"].py_type) == "Any | None"
    assert params["n"].schema == {"type": "integer"}
