"""The REST spec and recordings as the mock reads them, loaded once at import (test parameters
are built from them), and `assert_matches`: a typed SDK result against its wire value.

Used by sdk/test_rest_contract.py and integration/test_prism.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from generator.mock import RestSpec, load_recordings

from . import REST_RECORDINGS, REST_SPEC

RECORDINGS = load_recordings(REST_RECORDINGS)
SPEC = RestSpec(REST_SPEC)


def assert_matches(typed: Any, wire: Any, where: str = "$") -> int:
    """Assert the typed value equals the wire value; returns the number of leaves compared.

    Structs: every field set on the model equals the wire field; a field the wire has must not be
    left UNSET; wire fields the model does not declare are allowed. Decimals equal
    `Decimal(str(wire))`; numbers and strings compare exactly; maps need the same keys."""
    if isinstance(typed, msgspec.Struct):
        cls = type(typed)
        fields = msgspec.structs.fields(cls)
        if cls.__struct_config__.array_like:
            assert isinstance(wire, list), f"{where}: wire is {wire!r}, model is positional"
            assert len(wire) == len(fields), (
                f"{where}: {len(wire)} columns, model has {len(fields)}"
            )
            return sum(
                assert_matches(getattr(typed, f.name), wire[i], f"{where}[{i}]")
                for i, f in enumerate(fields)
            )
        assert isinstance(wire, dict), f"{where}: wire is {wire!r}, model is {cls.__name__}"
        compared = 0
        for f in fields:
            value = getattr(typed, f.name)
            if value is msgspec.UNSET:
                assert f.encode_name not in wire, f"{where}.{f.encode_name}: on the wire, UNSET"
                continue
            if f.encode_name not in wire:
                assert value == f.default, f"{where}.{f.encode_name}: {value!r} not on the wire"
                continue
            compared += assert_matches(value, wire[f.encode_name], f"{where}.{f.encode_name}")
        return compared
    if isinstance(typed, Decimal):
        assert isinstance(wire, (str, int, float)) and not isinstance(wire, bool), (
            f"{where}: {wire!r}"
        )
        assert typed == Decimal(str(wire)), f"{where}: {typed!r} != {wire!r}"
        return 1
    if isinstance(typed, bool) or typed is None:
        assert typed is wire, f"{where}: {typed!r} != {wire!r}"
        return 1
    if isinstance(typed, int):
        assert type(wire) is int and typed == wire, f"{where}: {typed!r} != {wire!r}"
        return 1
    if isinstance(typed, float):
        assert isinstance(wire, (int, float)) and not isinstance(wire, bool), f"{where}: {wire!r}"
        assert typed == wire, f"{where}: {typed!r} != {wire!r}"
        return 1
    if isinstance(typed, str):
        assert typed == wire, f"{where}: {typed!r} != {wire!r}"
        return 1
    if isinstance(typed, dict):
        assert isinstance(wire, dict), f"{where}: wire is {wire!r}"
        assert set(typed) == set(wire), f"{where}: keys {sorted(typed)} != {sorted(wire)}"
        return sum(assert_matches(v, wire[k], f"{where}.{k}") for k, v in typed.items()) + 1
    if isinstance(typed, (list, tuple)):
        assert isinstance(wire, list), f"{where}: wire is {wire!r}"
        assert len(typed) == len(wire), f"{where}: {len(typed)} items, wire has {len(wire)}"
        return (
            sum(
                assert_matches(v, w, f"{where}[{i}]")
                for i, (v, w) in enumerate(zip(typed, wire, strict=True))
            )
            + 1
        )
    raise AssertionError(f"{where}: unexpected decoded type {type(typed).__name__}: {typed!r}")
