"""generator/runtime/_wire.py: object keys renamed in JSON text, string values never; without
stand-ins the decoders and the encoder are msgspec's own."""

from __future__ import annotations

import msgspec
import pytest

from generator.naming import stand_ins
from generator.runtime import _wire

NAMES = {'optionType"': "optionType\ue022", '"': "\ue022", "a\\b": "a\ue05cb", "t\tab": "t\ue009ab"}
NAMES['prix€"'] = "prix€\ue022"  # non-ASCII
renamed = _wire.key_renamer(NAMES)


@pytest.mark.parametrize(
    ("sent", "decoded"),
    [
        (b'{"optionType\\"": 1}', {"optionType\ue022": 1}),
        (b'{ "optionType\\u0022"  :1}', {"optionType\ue022": 1}),  # another escape, spaces
        (
            b'[{"\\"":{"a\\\\b":[{"t\\tab":"x"}]}}]',
            [{"\ue022": {"a\ue05cb": [{"t\ue009ab": "x"}]}}],
        ),
        (
            b'{"k": "optionType\\"", "v": ["\\"", "a\\\\b"]}',
            {"k": 'optionType"', "v": ['"', "a\\b"]},
        ),
        (b'{"x": "\\"optionType\\\\\\":"}', {"x": '"optionType\\":'}),  # a key's text in a value
        (b'{"optionType": 1, "other\\"": 2}', {"optionType": 1, 'other"': 2}),
        (b'{"prix\\u20ac\\"": 1}', {"prix€\ue022": 1}),  # the euro sign sent ASCII-escaped
    ],
    ids=["key", "escaped-otherwise", "nested", "values", "key-text-in-a-value", "others", "ascii"],
)
def test_keys_are_renamed_and_values_are_not(sent: bytes, decoded: object) -> None:
    assert msgspec.json.decode(renamed(sent)) == decoded
    back = _wire.key_renamer({new: old for old, new in NAMES.items()})
    assert msgspec.json.decode(back(renamed(sent))) == msgspec.json.decode(sent)


def test_text_without_a_probe_is_returned_as_it_is() -> None:
    only = _wire.key_renamer({'optionType"': "optionType\ue022"})
    data = b'{"a": "b"}'
    assert only(data) is data


def test_without_stand_ins_the_sdk_uses_msgspec_itself() -> None:
    assert _wire.WIRE_NAMES == {}
    assert type(_wire.json_decoder(int)) is msgspec.json.Decoder
    assert type(_wire.json_encoder()) is msgspec.json.Encoder


def test_stand_ins_are_unique_and_keep_their_text() -> None:
    schemas = {
        "A": {"properties": {'x"': {}, "x\ue022": {}, "n": {"properties": {"\\": {}}}}},
        "B": {"items": {"properties": {"tab\there": {}}}, "example": {"properties": {'"': 1}}},
    }
    assert stand_ins(schemas) == {
        'x"': "x\ue022\ue000",  # x\ue022 is a property's own name
        "\\": "\ue05c",
        "tab\there": "tab\ue009here",
    }
