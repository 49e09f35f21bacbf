"""Coded integers as enum classes (`x-enum-varnames`, `x-enum-descriptions`, `x-ms-enum-flags`):
the spec reading (generator/model/enums.py), the rendered classes (decoding known, unknown and
combined values), the type mapper (hoisting, argument types) and validation."""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from support.models import scratch_models

from generator.cli import main
from generator.model.codegen import render_models
from generator.model.enums import enum_problems, enum_spec
from generator.model.ir import ModelSet
from generator.model.openapi import build_rest_api
from generator.pipeline import load_and_check

REF = "#/components/schemas/"
SIDE = {
    "type": "integer",
    "enum": [1, 2],
    "description": "1 = sell, 2 = buy.",
    "x-enum-varnames": ["SELL", "BUY"],
    "x-enum-descriptions": ["Sell.", "Buy."],
}
STATUS = {
    "type": "integer",
    "x-ms-enum-flags": {"isFlags": True},
    "x-enum-varnames": {"8": "CANCELLED", 128: "DISCOUNT_TOKEN"},
}


@pytest.fixture(scope="module")
def ns() -> Iterator[dict[str, Any]]:
    order = {
        "type": "object",
        "required": ["side", "status"],
        "properties": {
            "side": {"$ref": REF + "Side"},
            "status": {"$ref": REF + "Status"},
            "sides": {"type": "array", "items": {"$ref": REF + "Side"}},
        },
    }
    models = ModelSet("models", schemas={"Side": SIDE, "Status": STATUS, "Order": order})
    code = render_models(models)
    with scratch_models(code) as namespace:
        yield {**namespace, "__code__": code}


def test_list_form_map_form_and_flags_are_read() -> None:
    side = enum_spec(SIDE)
    assert side is not None and not side.flags
    assert side.members == (("SELL", 1, "Sell."), ("BUY", 2, "Buy."))
    status = enum_spec(STATUS)
    assert status is not None and status.flags
    assert [(m[0], m[1]) for m in status.members] == [("CANCELLED", 8), ("DISCOUNT_TOKEN", 128)]
    odd = enum_spec({"enum": [0, 1, 2], "x-enum-varnames": ["class", "2x", "a-b"]})
    assert odd is not None and [m[0] for m in odd.members] == ["class_", "V2x", "a_b"]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "enum": ["a"], "x-enum-varnames": ["A"]},  # not an integer schema
        {"type": "integer", "enum": [1, 2], "x-enum-varnames": ["ONE"]},  # a value unnamed
        {"type": "integer", "enum": [1, "x"], "x-enum-varnames": ["A", "B"]},
        {"type": "integer", "enum": ["1", "2"], "x-enum-varnames": ["A", "B"]},  # text
        {"type": "integer", "nullable": True, "enum": [1], "x-enum-varnames": ["A"]},
        {"type": "integer", "enum": [1, 2]},  # no names: stays a Literal
    ],
)
def test_what_gives_no_class(schema: dict[str, Any]) -> None:
    assert enum_spec(schema) is None
    if "x-enum-varnames" in schema:
        assert enum_problems(schema), "a located warning says why"


def test_known_values_decode_to_members(ns: dict[str, Any]) -> None:
    side, status, order = ns["Side"], ns["Status"], ns["Order"]
    assert issubclass(side, enum.IntEnum) and issubclass(status, enum.IntFlag)
    got = msgspec.json.decode(b'{"side": 2, "status": 136, "sides": [1, 2]}', type=order)
    assert got.side is side.BUY and got.sides == [side.SELL, side.BUY]
    assert got.status == status.CANCELLED | status.DISCOUNT_TOKEN
    assert got.status & status.CANCELLED and type(got.status) is status
    assert side.__doc__ == "1 = sell, 2 = buy."
    assert 'SELL = 1\n    """Sell."""' in ns["__code__"]  # attribute docstrings, for editors


def test_unknown_values_still_decode(ns: dict[str, Any]) -> None:
    side, status, order = ns["Side"], ns["Status"], ns["Order"]
    got = msgspec.json.decode(b'{"side": 7, "status": 9}', type=order)
    assert type(got.side) is side and got.side == 7 and got.side.name == "UNKNOWN_7"
    assert got.side not in (side.SELL, side.BUY) and list(side) == [side.SELL, side.BUY]
    assert 7 not in side._value2member_map_  # not cached: a server cannot grow the class
    assert type(got.status) is status and got.status == 9 and got.status & status.CANCELLED
    assert msgspec.json.decode(b'{"side": 1, "status": 0}', type=order).status == 0
    assert msgspec.json.encode(got) == b'{"side":7,"status":9}'  # re-encodes what it decoded
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"side": "x", "status": 0}', type=order)


SPEC = """
openapi: 3.0.3
info: {title: Enums, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /orders:
    get:
      operationId: list_orders
      parameters:
        - {name: side, in: query, required: true, schema: {$ref: "#/components/schemas/Side"}}
        - {name: status, in: query, schema: {$ref: "#/components/schemas/Status"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
components:
  schemas:
    Side: {type: integer, enum: [1, 2], x-enum-varnames: [SELL, BUY]}
    Status: {type: integer, x-ms-enum-flags: {isFlags: true}, x-enum-varnames: {"8": CANCELLED}}
    Order:
      type: object
      properties:
        side: {$ref: "#/components/schemas/Side"}
        kind: {type: integer, enum: [1, 2], x-enum-varnames: [LIMIT, MARKET]}
"""


def test_the_type_mapper_hoists_inline_enums_and_widens_arguments(tmp_path: Path) -> None:
    spec = tmp_path / "enums.yaml"
    spec.write_text(SPEC)
    doc, resolver, _ = load_and_check(str(spec), True, "openapi")
    api, _ = build_rest_api(doc, resolver, "pkg")
    assert {"Side", "Status", "Order", "OrderKind"} <= set(api.models.schemas)
    params = {p.name: p for p in api.operations[0].params}
    assert params["side"].py_type.annotation == "models.Side | Literal[1, 2]"
    assert params["status"].py_type.annotation == "models.Status | int | None"
    assert not any(k.startswith("x-") for k in params["side"].schema), "checks see no extensions"
    with scratch_models(render_models(api.models)) as ns:
        got = msgspec.json.decode(b'{"side": 1, "kind": 2}', type=ns["Order"])
        assert got.side is ns["Side"].SELL and got.kind is ns["OrderKind"].MARKET


def test_a_malformed_extension_is_a_located_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    bad = SPEC.replace("x-enum-varnames: [SELL, BUY]", "x-enum-varnames: [SELL]")
    spec.write_text(textwrap.dedent(bad))
    assert main(["validate", "--no-external", str(spec)]) == 0
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(bad.splitlines(), 1) if "[SELL]" in t)
    assert f"bad.yaml:{line}: warning: /components/schemas/Side/x-enum-varnames: " in err
    assert "has 1 names for 2 enum values: ignored" in err
    assert main(["validate", "--no-external", "--strict", str(spec)]) == 2
