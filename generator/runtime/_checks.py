"""Argument checks (from the spec's schemas) and wire encoding, applied before any network I/O."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ._errors import ParameterError

_NUMBER = (int, float, Decimal)


@lru_cache(maxsize=256)
def _pattern(regex: str) -> re.Pattern[str] | None:
    try:
        return re.compile(regex)
    except re.error:  # an ECMA-only regex: not checked here, the server will
        return None


def check(operation: str, name: str, value: Any, schema: Mapping[str, Any]) -> None:
    """Raise ParameterError if `value` breaks `schema` (type, enum, range, length, pattern)."""
    problem = _problem(value, schema)
    if problem:
        raise ParameterError(operation, name, problem)


def _problem(value: Any, schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1 type arrays
        nullable = "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    else:
        nullable = bool(schema.get("nullable")) or kind == "null"
    if value is None:
        return None if nullable or None in (schema.get("enum") or ()) else "must not be None"
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        return f"must be one of {list(enum)!r}, got {value!r}"
    fmt = schema.get("format")
    if (
        kind in (None, "string")
        and fmt in ("binary", "byte")
        and isinstance(value, (bytes, bytearray))
    ):
        return None
    if kind == "string" and fmt == "decimal" or kind == "number":
        if isinstance(value, bool) or not isinstance(value, (*_NUMBER, str)):
            return f"must be a number or a numeric string, got {type(value).__name__}"
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return f"must be a number, got {value!r}"
        if not number.is_finite():
            return f"must be finite, got {value!r}"
        return _range(number, schema)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be an integer, got {type(value).__name__}"
        return _range(Decimal(value), schema)
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be a bool, got {type(value).__name__}"
    if kind == "string":
        if not isinstance(value, str):
            return f"must be a string, got {type(value).__name__}"
        if len(value) < schema.get("minLength", 0):
            return f"must have at least {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"must have at most {schema['maxLength']} characters"
        pattern = _pattern(str(schema["pattern"])) if "pattern" in schema else None
        if pattern is not None and not pattern.search(value):
            return f"must match {schema['pattern']!r}, got {value!r}"
    if kind == "array":
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            return f"must be a list, got {type(value).__name__}"
        if len(value) < schema.get("minItems", 0):
            return f"must have at least {schema['minItems']} items"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"must have at most {schema['maxItems']} items"
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                problem = _problem(item, items)
                if problem:
                    return f"item {i} {problem}"
    return None


def _range(number: Decimal, schema: Mapping[str, Any]) -> str | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        exclusive = schema.get("exclusiveMinimum") is True
        if number < Decimal(str(low)) or (exclusive and number == Decimal(str(low))):
            return f"must be {'>' if exclusive else '>='} {low}, got {number}"
    bound = schema.get("exclusiveMinimum")
    if _is_number(bound) and number <= Decimal(str(bound)):
        return f"must be > {bound}, got {number}"
    if high is not None:
        exclusive = schema.get("exclusiveMaximum") is True
        if number > Decimal(str(high)) or (exclusive and number == Decimal(str(high))):
            return f"must be {'<' if exclusive else '<='} {high}, got {number}"
    bound = schema.get("exclusiveMaximum")
    if _is_number(bound) and number >= Decimal(str(bound)):
        return f"must be < {bound}, got {number}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


# json.dumps with these arguments, built once (json.dumps makes a new encoder per call)
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default)


def encode(value: Any, *, as_json: bool = False) -> str:
    """The exact text sent (and signed) for a parameter value."""
    if as_json:
        return _JSON.encode(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite float")
        return format(Decimal(repr(value)), "f")
    return str(value)


def encode_all(values: Collection[Any]) -> list[str]:
    return [encode(v) for v in values]
