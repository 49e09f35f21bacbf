"""The models datamodel-code-generator renders (generator/model/codegen.py) always decode.

The generator never runs what it renders; these tests do: for every fixture spec, and for model
sets built to hit each rule of generator/model/decodable.py (tagged unions msgspec refuses, enums
on str-like formats), the module imports and msgspec builds a decoder for every model.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from support import ROOT
from support.models import scratch_models

from generator.model.asyncapi import build_ws_api
from generator.model.codegen import ModelError, render_models
from generator.model.decodable import tag_plan
from generator.model.ir import ModelSet
from generator.model.openapi import build_rest_api
from generator.pipeline import load_and_check

FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "openapi"
SPECS = sorted(
    [
        *(ROOT / "specs").glob("*.yaml"),
        *(FIXTURES / "edge").glob("*.yaml"),
        FIXTURES / "edge" / "multifile" / "root.yaml",
        *(FIXTURES / "asyncapi").glob("*.yaml"),
        *(FIXTURES / "specs").glob("*-good.yaml"),
        *CORPUS.glob("v3.*/*.yaml"),
    ]
)
REF = "#/components/schemas/"


@contextlib.contextmanager
def loaded(code: str, name: str = "models") -> Iterator[dict[str, Any]]:
    """Run the module in a scratch namespace, importable meanwhile (msgspec resolves annotations
    through `sys.modules[cls.__module__]`)."""
    with scratch_models(code, name) as namespace:
        yield namespace


def assert_decodable(models: ModelSet) -> dict[str, Any]:
    with loaded(render_models(models), models.module) as namespace:
        for name in models.schemas:
            assert name in namespace, f"{name} is not defined"
            msgspec.json.Decoder(namespace[name])  # raises if msgspec cannot decode the type
        return namespace


def model_sets(spec: Path) -> list[ModelSet]:
    kind = "asyncapi" if "asyncapi:" in spec.read_text(encoding="utf-8") else "openapi"
    doc, resolver, _ = load_and_check(str(spec), True, kind)
    if kind == "openapi":
        api, _ = build_rest_api(doc, resolver, "pkg", lenient=True)
        return [api.models]
    return [build_ws_api(doc, resolver, "pkg").models]


def test_the_fixture_list_is_complete() -> None:
    names = {p.name for p in SPECS}
    assert {
        "hotbit-rest.openapi.yaml",
        "hotbit-websocket.asyncapi.yaml",
        "composition.yaml",
    } <= names


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_model_of_every_fixture_spec_decodes(spec: Path) -> None:
    sets = [models for models in model_sets(spec) if models.schemas]
    for models in sets:
        assert_decodable(models)


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


def union(*names: str, field: str = "kind", **mapping: str) -> dict[str, Any]:
    return {
        "oneOf": [{"$ref": REF + n} for n in names],
        "discriminator": {
            "propertyName": field,
            "mapping": {v: REF + n for v, n in (mapping or {n.lower(): n for n in names}).items()},
        },
    }


STR = {"type": "string"}


def test_a_discriminated_union_of_objects_is_tagged() -> None:
    models = ModelSet("m", schemas={"Pet": union("Cat", "Dog"), "Cat": obj(kind=STR, a=STR),
                                    "Dog": obj(kind=STR, b=STR)})  # fmt: skip
    assert tag_plan(models.schemas) == {"Cat": ("kind", "cat"), "Dog": ("kind", "dog")}
    ns = assert_decodable(models)
    assert ns["Cat"].__struct_config__.tag == "cat"
    assert msgspec.json.decode(b'{"kind":"dog","b":"x"}', type=ns["Pet"]) == ns["Dog"](b="x")


def test_a_variant_of_two_unions_with_different_tag_fields_is_untagged() -> None:
    """A Struct has one tag field: both unions are left untagged (and merged), not just one."""
    models = ModelSet("m", schemas={
        "ByKind": union("Cat", "Dog"),
        "ByType": union("Cat", "Fish", field="type"),
        "Other": union("Bird", "Fish", field="type"),
        "Cat": obj(kind=STR, type=STR), "Dog": obj(kind=STR), "Fish": obj(type=STR),
        "Bird": obj(type=STR),
    })  # fmt: skip
    # Cat conflicts; Fish is tagged the same way by both its unions, so `Other` stays tagged.
    assert tag_plan(models.schemas) == {"Bird": ("type", "bird"), "Fish": ("type", "fish")}
    ns = assert_decodable(models)
    assert ns["Cat"].__struct_config__.tag_field is None
    assert ns["Fish"].__struct_config__.tag_field == "type"


def test_a_variant_tagged_the_same_way_by_two_unions_stays_tagged() -> None:
    models = ModelSet("m", schemas={"A": union("Cat", "Dog"), "B": union("Cat", "Cow"),
                                    "Cat": obj(kind=STR), "Dog": obj(kind=STR),
                                    "Cow": obj(kind=STR)})  # fmt: skip
    assert set(tag_plan(models.schemas)) == {"Cat", "Dog", "Cow"}
    assert_decodable(models)


def test_a_variant_with_two_tag_values_or_tag_values_clashing_across_unions_is_untagged() -> None:
    two_values = union("Cat", "Dog", cat="Cat", kitty="Cat", dog="Dog")
    models = ModelSet("m", schemas={"Pet": two_values, "Cat": obj(kind=STR), "Dog": obj(kind=STR)})
    assert tag_plan(models.schemas) == {}
    assert_decodable(models)
    clash = ModelSet("m", schemas={"A": union("Cat", "Dog"), "B": union("Cat", "Cow", x="Cat", cow="Cow"),
                                   "Cat": obj(kind=STR), "Dog": obj(kind=STR),
                                   "Cow": obj(kind=STR)})  # fmt: skip
    assert tag_plan(clash.schemas) == {}
    assert_decodable(clash)


@pytest.mark.parametrize(
    "branch",
    [
        {"type": "string"},  # not an object
        {"oneOf": [{"$ref": REF + "Cat"}, {"$ref": REF + "Dog"}]},  # a union, not one Struct
        {"$ref": REF + "Cat"},  # an alias
        {"type": "array", "x-positional": True, "items": {}},
        {"type": "object", "additionalProperties": STR},  # a map: a dict, not a Struct
    ],
)
def test_unions_with_a_branch_that_is_not_one_struct_are_untagged(branch: dict[str, Any]) -> None:
    schemas = {
        "Pet": union("Cat", "Odd"),
        "Cat": obj(kind=STR),
        "Dog": obj(kind=STR),
        "Odd": branch,
    }
    assert tag_plan(schemas) == {}
    assert_decodable(ModelSet("m", schemas=schemas))


def test_a_union_that_also_has_properties_is_untagged() -> None:
    """datamodel-code-generator subclasses each branch with the properties: no tags there."""
    pet = {**union("Cat", "Dog"), "type": "object", "properties": {"name": STR}}
    schemas = {"Pet": pet, "Cat": obj(kind=STR), "Dog": obj(kind=STR)}
    assert tag_plan(schemas) == {}
    assert_decodable(ModelSet("m", schemas=schemas))


def test_a_mapping_naming_a_schema_the_union_does_not_list_is_untagged() -> None:
    pet = union("Cat", "Dog", cat="Cat", dog="Dog", cow="Cow")
    schemas = {"Pet": pet, "Cat": obj(kind=STR), "Dog": obj(kind=STR), "Cow": obj(kind=STR)}
    assert tag_plan(schemas) == {}
    assert_decodable(ModelSet("m", schemas=schemas))


@pytest.mark.parametrize("fmt", ["decimal", "binary", "duration"])
def test_an_enum_of_a_str_like_format_is_the_plain_type(fmt: str) -> None:
    """`Literal["a"] | Decimal` holds two str-like types, which msgspec refuses."""
    field = {"type": "string", "format": fmt, "enum": ["1.5", "2"], "nullable": True}
    ns = assert_decodable(ModelSet("m", schemas={"A": obj(x=field)}))
    assert "Literal" not in str(ns["A"].__annotations__["x"])


def test_an_enum_of_plain_strings_stays_open() -> None:
    ns = assert_decodable(ModelSet("m", schemas={"A": obj(x={"type": "string", "enum": ["a"]})}))
    assert msgspec.json.decode(b'{"x":"new"}', type=ns["A"]).x == "new"


def test_a_model_the_module_does_not_define_is_a_located_error() -> None:
    """datamodel-code-generator renames a model called `None_`: the SDK could not name it."""
    origin = ["spec.yaml", "/components/schemas/None_", 7]
    models = ModelSet("m", schemas={"None_": {"type": "string", "x-origin": origin}})
    with pytest.raises(ModelError) as caught:
        render_models(models)
    assert caught.value.origins == [("spec.yaml", "/components/schemas/None_", 7)]
    assert "None_: not defined by the generated module" in caught.value.message


def test_nested_untagged_unions_decode_to_the_matching_branch_at_any_depth() -> None:
    [models] = model_sets(FIXTURES / "edge" / "nested-unions.yaml")
    ns = assert_decodable(models)
    decode = msgspec.json.Decoder(ns["R"], strict=False).decode
    A, B, C, Outer, R = (ns[n] for n in ("A", "B", "C", "Outer", "R"))
    assert decode(b'{"data": {"bid": {"bid": "x"}}}') == R(data=Outer(bid=B(bid="x")))
    assert decode(b'{"data": {"bid": {"ask": "y"}}}') == R(data=Outer(bid=A(ask="y")))
    # Outer has no required property, so it converts from anything: C declares more of the keys
    assert decode(b'{"data": {"c": 1}}') == R(data=C(c=1))
    assert decode(b'{"many": [{"ask": "a"}, {"c": 2}]}') == R(many=[A(ask="a"), C(c=2)])
    assert decode(b"{}") == R()
    with pytest.raises(msgspec.ValidationError, match="matches no branch"):
        decode(b'{"data": {"bid": {"neither": 1}}}')
    again = decode(b'{"data": {"bid": {"bid": "x"}}, "many": [{"c": 2}]}')
    assert msgspec.json.encode(again) == b'{"data":{"bid":{"bid":"x"}},"many":[{"c":2}]}'


def test_formats_decode_to_the_types_users_expect() -> None:
    fields = {
        "at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "id": {"type": "string", "format": "uuid"},
        "raw": {"type": "string", "format": "byte"},
        "price": {"type": "string", "format": "decimal"},
        "mail": {"type": "string", "format": "email"},
        "ip": {"type": "string", "format": "ipv4"},  # msgspec has no IP type: text
        "when": {"type": "string", "format": "date-time", "enum": ["2020-01-01T00:00:00Z"]},
        "ts": {"type": "integer", "format": "int64"},
    }
    ns = assert_decodable(ModelSet("m", schemas={"Row": {"type": "object", "properties": fields}}))
    row = msgspec.json.decode(
        b'{"at": "2019-08-24T14:15:22Z", "day": "2019-08-24", "raw": "aGk=", "price": "0.10",'
        b' "id": "0b6f3e3c-1d2e-4d5f-9a8b-7c6d5e4f3a2b", "mail": "a@b.c", "ip": "10.0.0.1",'
        b' "when": "2021-02-03T04:05:06+01:00", "ts": 1566656122}',
        type=ns["Row"],
    )
    assert row.at == datetime.datetime(2019, 8, 24, 14, 15, 22, tzinfo=datetime.UTC)
    assert row.day == datetime.date(2019, 8, 24)
    assert row.id == uuid.UUID("0b6f3e3c-1d2e-4d5f-9a8b-7c6d5e4f3a2b")
    assert (row.raw, row.price, row.mail, row.ip) == (b"hi", Decimal("0.10"), "a@b.c", "10.0.0.1")
    assert row.when.utcoffset() == datetime.timedelta(hours=1) and row.ts == 1566656122
    with pytest.raises(msgspec.ValidationError, match=r"datetime - at `\$.at`"):
        msgspec.json.decode(b'{"at": "yesterday"}', type=ns["Row"])


def test_fields_are_snake_case_and_keep_their_wire_names() -> None:
    from generator.model.types import attribute
    from generator.naming import snake

    props = {"orderId": STR, "HTTPCode": {"type": "integer"}, "snake_one": STR}
    ns = assert_decodable(ModelSet("m", schemas={"Row": obj(**props)}))
    row = msgspec.json.decode(b'{"orderId": "a", "HTTPCode": 1, "snake_one": "b"}', type=ns["Row"])
    assert (row.order_id, row.http_code, row.snake_one) == ("a", 1, "b")
    assert msgspec.json.decode(msgspec.json.encode(row)) == {
        "HTTPCode": 1,
        "orderId": "a",
        "snake_one": "b",
    }
    for wire in props:  # the rule methods and arguments follow too
        assert attribute(wire) == snake(wire) in ns["Row"].__struct_fields__
