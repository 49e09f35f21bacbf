"""generator/runtime/_checks.py: argument checks and the exact text sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from generator.runtime._checks import check, encode, encode_all
from generator.runtime._errors import ParameterError


@pytest.mark.parametrize(
    ("value", "schema"),
    [
        ("1.5", {"type": "string", "format": "decimal", "minimum": 1}),
        (Decimal(2), {"type": "number", "exclusiveMaximum": 3}),
        (3, {"type": "integer", "minimum": 3}),
        ("buy", {"type": "string", "enum": ["buy", "sell"]}),
        ("ETHBTC", {"type": "string", "pattern": "^[A-Z]+$", "maxLength": 8}),
        (None, {"type": ["string", "null"]}),
        ([1, 2], {"type": "array", "items": {"type": "integer"}, "maxItems": 2}),
        (b"\x00", {"type": "string", "format": "binary"}),
        (
            "x",
            {"type": "string", "pattern": "(?<=\\p{L})"},
        ),  # not a Python regex: left to the server
    ],
)
def test_valid_values_pass(value: Any, schema: dict[str, Any]) -> None:
    check("op", "p", value, schema)


@pytest.mark.parametrize(
    ("value", "schema", "problem"),
    [
        ("0.5", {"type": "string", "format": "decimal", "minimum": 1}, "must be >= 1"),
        ("abc", {"type": "number"}, "must be a number"),
        ("NaN", {"type": "number"}, "must be finite"),
        (True, {"type": "integer"}, "must be an integer"),
        (3, {"type": "integer", "exclusiveMinimum": 3}, "must be > 3"),
        ("hold", {"type": "string", "enum": ["buy", "sell"]}, "must be one of"),
        ("eth", {"type": "string", "pattern": "^[A-Z]+$"}, "must match"),
        ("", {"type": "string", "minLength": 1}, "at least 1 characters"),
        (None, {"type": "string"}, "must not be None"),
        ([1, "2"], {"type": "array", "items": {"type": "integer"}}, "item 1 must be an integer"),
        ("1,2", {"type": "array"}, "must be a list"),
        (1, {"type": "boolean"}, "must be a bool"),
    ],
)
def test_invalid_values_raise_before_sending(
    value: Any, schema: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ParameterError) as info:
        check("order.put", "price", value, schema)
    assert problem in str(info.value) and info.value.operation == "order.put"
    assert isinstance(info.value, ValueError)


def test_encode_sends_exact_text() -> None:
    assert encode(Decimal("0.10")) == "0.10"
    assert encode(0.1) == "0.1" and encode(1e-7) == "0.0000001"
    assert encode(True) == "true" and encode(7) == "7"
    assert encode(["BTC", "ETH"], as_json=True) == '["BTC","ETH"]'
    assert encode({"p": Decimal("1.5")}, as_json=True) == '{"p":"1.5"}'
    assert encode_all([1, Decimal("2.0")]) == ["1", "2.0"]
    with pytest.raises(ValueError):
        encode(float("inf"))
