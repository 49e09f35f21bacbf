"""generator/runtime/_extra.py: unknown response fields stay reachable as `model_extra`, read
lazily, without a reference cycle; and the rendered models derive from its `Model`."""

from __future__ import annotations

import gc
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from support.models import scratch_models

from generator.model.codegen import render_models
from generator.model.ir import ModelSet
from generator.runtime._extra import Model, decode_keeping


class Leg(Model):
    price: Decimal
    size: int = 0


class Row(msgspec.Struct, array_like=True):  # positional: no keys of its own
    leg: Leg
    note: str


class Cat(Model, tag_field="kind", tag="cat"):
    name: str


class Page(Model):
    legs: list[Leg]
    by_market: dict[str, Leg]
    rows: list[Row] = msgspec.field(default_factory=list)
    pet: Cat | None = None
    total: int = msgspec.field(name="Total", default=0)


BODY = b"""{"legs": [{"price": "1", "size": 2, "fee": 0.1}, {"price": "1", "size": 2, "fee": 0.2},
  {"price": "3"}], "by_market": {"ETHBTC": {"price": "2", "new": {"a": [1]}}},
  "rows": [[{"price": "4", "x": true}, "n"]], "pet": {"kind": "cat", "name": "tom", "age": 3},
  "Total": 5, "next": "abc"}"""


def test_unknown_keys_are_kept_on_every_model_of_the_answer() -> None:
    page = decode_keeping(msgspec.json.Decoder(Page), BODY)
    assert page.model_extra == {"next": "abc"}  # "Total" is the wire name of `total`
    first, second, third = page.legs
    assert first == second  # equal models, different extras: each gets its own object's
    assert first.model_extra == {"fee": Decimal("0.1")} and isinstance(
        first.model_extra["fee"], Decimal
    )  # money is never a float
    assert second.model_extra == {"fee": Decimal("0.2")} and third.model_extra == {}
    assert page.by_market["ETHBTC"].model_extra == {"new": {"a": [1]}}
    assert page.rows[0].leg.model_extra == {"x": True}
    assert page.pet is not None and page.pet.model_extra == {"age": 3}  # the tag is declared


def test_models_without_a_noted_answer_have_none() -> None:
    assert msgspec.json.decode(BODY, type=Page).model_extra == {}
    assert Leg(price=Decimal(1)).model_extra == {}
    assert msgspec.convert({"price": "1", "zz": 1}, Leg).model_extra == {}


def test_extras_are_read_lazily_and_once() -> None:
    page = decode_keeping(msgspec.json.Decoder(Page), BODY)
    note = page.legs[0].__dict__["_extra"]
    assert isinstance(note, tuple), "nothing is decoded before the first read"
    answer = note[0]
    assert answer[0] == BODY and answer[2] == 7  # the bytes; the page, five legs, the cat
    assert page.legs[1].model_extra == {"fee": Decimal("0.2")}
    assert answer[0] is None and answer[1] is None  # the bytes are let go
    assert page.model_extra == {"next": "abc"} and page.legs[0].model_extra["fee"] == Decimal("0.1")


def test_decoding_makes_no_reference_cycle() -> None:
    gc.collect()
    gc.disable()
    try:
        page = decode_keeping(msgspec.json.Decoder(Page), BODY)
        assert page.legs[0].model_extra
        del page
        assert gc.collect() == 0  # everything was freed by reference counting
    finally:
        gc.enable()


def test_a_bad_buffer_raises_the_decoders_error() -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_keeping(msgspec.json.Decoder(Page), b"{")


def test_rendered_models_keep_unknown_keys_through_a_matched_union() -> None:
    ref = "#/components/schemas/"
    schemas: dict[str, Any] = {
        "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
        "B": {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}},
        "Holder": {
            "type": "object",
            "properties": {"item": {"oneOf": [{"$ref": ref + "A"}, {"$ref": ref + "B"}]}},
        },
    }
    models = ModelSet("models", schemas=schemas)
    code = render_models(models)
    assert "class Holder(_Model)" in code and "super().__post_init__()" in code
    with scratch_models(code) as ns:
        got = decode_keeping(
            msgspec.json.Decoder(ns["Holder"]), b'{"item": {"b": "x", "c": 1}, "d": 2}'
        )
        assert type(got.item) is ns["B"]
        assert got.model_extra == {"d": 2} and got.item.model_extra == {"c": 1}
