"""The schema tables of the reference docs (generator/outputs/fields.py) on small schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.document import Schema
from generator.document.nodes import Location
from generator.load import Resolver, load_document
from generator.outputs.fields import FieldRow, schema_rows

pytestmark = pytest.mark.timeout(60)

COMPONENTS = {
    "Order": {
        "type": "object",
        "description": "An order.",
        "required": ["id", "side"],
        "properties": {
            "id": {"type": "integer", "description": "Order id."},
            "side": {"type": "integer", "enum": [1, 2], "description": "1 = sell, 2 = buy."},
            "price": {"type": "string", "format": "decimal"},
            "parent": {"$ref": "#/components/schemas/Order"},
        },
    },
    "Envelope": {
        "type": "object",
        "required": ["error", "result"],
        "properties": {
            "error": {
                "type": "object",
                "nullable": True,
                "description": "Error or null.",
                "properties": {"code": {"type": "integer", "description": "Code."}},
            },
            "result": {"description": "The payload."},
        },
    },
}


def rows_of(tmp_path: Path, schema: Any) -> list[FieldRow]:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {**COMPONENTS, "Root": schema}},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    doc = load_document(path)
    pointer = "/components/schemas/Root"
    return schema_rows(
        Schema(doc.data["components"]["schemas"]["Root"], Location.at(doc, pointer)), Resolver(doc)
    )


def table(rows: list[FieldRow]) -> list[tuple[str, str, bool | None, str]]:
    return [(r.name, r.type, r.required, r.description) for r in rows]


def test_nested_objects_arrays_enums_and_cycles(tmp_path: Path) -> None:
    rows = rows_of(
        tmp_path,
        {
            "type": "object",
            "required": ["orders"],
            "properties": {
                "orders": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
                "total": {"type": "integer", "default": 0, "description": "How many."},
            },
        },
    )
    assert table(rows) == [
        ("orders", "array of object", True, ""),
        ("orders[]", "object", None, "An order."),
        ("orders[].id", "integer", True, "Order id."),
        ("orders[].side", "integer", True, "1 = sell, 2 = buy. One of `1`, `2`."),
        ("orders[].price", "decimal string", False, ""),
        ("orders[].parent", "object", False, "An order. (Recursive: as above.)"),
        ("total", "integer", False, "How many. Default: `0`."),
    ]
    assert [r.depth for r in rows] == [0, 1, 2, 2, 2, 2, 0]


def test_allof_merges_and_null_branches_make_or_null(tmp_path: Path) -> None:
    rows = rows_of(
        tmp_path,
        {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "result": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "additionalProperties": {
                                        "type": "string",
                                        "description": "Balance | amount.",
                                    },
                                },
                                {"type": "object", "nullable": True, "enum": [None]},
                            ]
                        }
                    },
                },
            ]
        },
    )
    assert table(rows) == [
        ("error", "object or null", True, "Error or null."),
        ("error.code", "integer", False, "Code."),
        # the later allOf branch gives the type, the earlier one still the description
        ("result", "map of string or null", True, "The payload."),
        ("result.*", "string", None, "Any key: Balance \\| amount."),
    ]


def test_positional_items_and_unions(tmp_path: Path) -> None:
    rows = rows_of(
        tmp_path,
        {
            "type": "object",
            "properties": {
                "params": {
                    "type": "array",
                    "minItems": 1,
                    "items": [
                        {"title": "clean", "type": "boolean", "description": "Snapshot?"},
                        {"title": "market", "type": "string", "const": "BTCUSDT"},
                    ],
                },
                "value": {
                    "oneOf": [
                        {"type": "integer"},
                        {"type": "object", "properties": {"a": {"type": "string"}}},
                    ]
                },
            },
        },
    )
    assert table(rows) == [
        ("params", "array (positional)", False, ""),
        ("params[0]", "boolean", True, "`clean`: Snapshot?"),
        ("params[1]", "string", False, '`market`: Always `"BTCUSDT"`.'),
        ("value", "integer or object", False, ""),
        ("value.a", "string", False, ""),
    ]
