"""The mock answers everything (generator/mock/synth.py): without a recording or a valid example,
a deterministic value valid against the response schema (served: sdk/test_mock_answers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.synth import SPEC

from generator.load import Resolver, load_document
from generator.mock.synth import Synthesizer


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "synth.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _value(spec: Path, name: str) -> tuple[Any, Synthesizer, Any]:
    doc = load_document(spec)
    synth = Synthesizer(doc, Resolver(doc))
    pointer = f"/components/schemas/{name}"
    schema = doc.data["components"]["schemas"][name]
    value = synth.value(schema, doc, pointer)
    assert synth.valid(value, schema, doc, pointer), value
    return value, synth, schema


def test_a_value_is_built_from_the_schema_and_is_valid(spec: Path) -> None:
    value, _, _ = _value(spec, "Item")
    assert value["name"] == "widget"  # a valid `example` of the subschema is used
    assert value["kind"] == "spot" and value["count"] == 4  # first enum value; minimum, multipleOf
    assert 0 < value["ratio"] <= 1
    assert len(value["tags"]) == 2 and all(len(t) >= 8 for t in value["tags"])
    assert value["when"] == "2024-01-02T03:04:05Z" and len(value["id"]) == 36
    assert len(value["short"]) <= 3 and "secret" not in value  # writeOnly: not in answers
    assert value["extra"] == {"key": 0}
    assert value["choice"] == {"a": "string"}
    assert value["price"] == "string"  # `example: 12` is not a string: not used
    assert "note" in value


def test_a_oneof_of_open_objects_gets_a_value_only_one_branch_accepts(spec: Path) -> None:
    """Any object is an Order and a Failure: the Order gets Failure's `code` as a numeric string
    (Failure rejects it, a client reading numbers from strings still decodes it)."""
    value, synth, _ = _value(spec, "Either")  # valid: exactly one branch matches
    assert value == [{"orderId": 0, "symbol": "string", "code": "0"}]
    doc = load_document(spec)
    failure = doc.data["components"]["schemas"]["Failure"]
    assert not synth.valid(value[0], failure, doc, "/components/schemas/Failure")


def test_recursion_stops_and_values_are_deterministic(spec: Path) -> None:
    value, _, schema = _value(spec, "Node")
    depth, node = 0, value
    while node.get("children"):
        node, depth = node["children"][0], depth + 1
    assert 0 < depth <= 6
    doc = load_document(spec)
    again = Synthesizer(doc, Resolver(doc)).value(schema, doc, "/components/schemas/Node")
    assert again == value


def test_an_example_is_used_only_when_valid_and_json_text_is_decoded(spec: Path) -> None:
    doc = load_document(spec)
    synth = Synthesizer(doc, Resolver(doc))
    schema, pointer = doc.data["components"]["schemas"]["Quoted"], "/components/schemas/Quoted"
    assert synth.answer(schema, doc, pointer, [{"id": "x", "price": "2"}]) == {
        "id": "x",
        "price": "2",
    }
    text = '{"id": "a1", "price": "1.5"}'
    assert synth.answer(schema, doc, pointer, [text]) == {"id": "a1", "price": "1.5"}
    assert synth.answer(schema, doc, pointer, [[1, 2]]) == {"id": "string", "price": "string"}
