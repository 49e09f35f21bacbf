"""JSON in and out of the models, keeping the wire names a msgspec Struct cannot carry.

msgspec refuses a field's wire name that holds `\\`, `"` or a control character. Such a property
gets a stand-in wire name in its model, the name with each of those characters replaced by the
private-use character U+E000 + its code (`optionType"` -> `optionType\\ue022`), and
`_constants.WIRE_NAMES` maps each stand-in to its wire name. Only when that table is not empty,
the decoders made here rename those object keys in the JSON text before msgspec decodes it
(wire name -> stand-in), and the encoders after msgspec encodes (stand-in -> wire name). Object
keys only: string values are never changed. Otherwise `json_decoder` is msgspec's Decoder and
`json_encoder` msgspec's Encoder, at no cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from ._constants import WIRE_NAMES

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class JsonDecoder(Protocol[T_co]):
    def decode(self, buf: Any, /) -> T_co: ...


class JsonEncoder(Protocol):
    def encode(self, obj: Any, /) -> bytes: ...


# A JSON string token and, when it is an object key, the colon after it.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"(\s*+:)?', re.DOTALL)


def key_renamer(names: Mapping[str, str]) -> Callable[[bytes], bytes]:
    """A function renaming the object keys of JSON text that are keys of `names`."""
    exact = {msgspec.json.encode(old): msgspec.json.encode(new) for old, new in names.items()}
    # a key can only be there if its longest run of plain ASCII is (anything else may be escaped)
    probes = {max(re.split(r"[^ !#-\[\]-~]", old), key=len).encode() for old in names}

    def key(match: re.Match[bytes]) -> bytes:
        colon = match.group(1)
        if colon is None:
            return match.group(0)
        token = match.group(0)[: -len(colon)]
        new = exact.get(token)
        if new is None and b"\\" in token:  # another spelling of the escapes (\u0022...)
            text = msgspec.json.decode(token)
            new = msgspec.json.encode(names[text]) if text in names else None
        return match.group(0) if new is None else new + colon

    def rename(data: bytes) -> bytes:
        if not any(probe in data for probe in probes):
            return data
        return _STRING.sub(key, data)

    return rename


_to_stand_ins = key_renamer({wire: stand_in for stand_in, wire in WIRE_NAMES.items()})
_to_wire = key_renamer(WIRE_NAMES)


class _Decoder(Generic[T]):
    __slots__ = ("_decoder",)

    def __init__(self, decoder: msgspec.json.Decoder[T]) -> None:
        self._decoder = decoder

    def decode(self, buf: Any, /) -> T:
        data = buf.encode() if isinstance(buf, str) else bytes(buf)
        return self._decoder.decode(_to_stand_ins(data))


class _Encoder:
    __slots__ = ("_encoder",)

    def __init__(self, encoder: msgspec.json.Encoder) -> None:
        self._encoder = encoder

    def encode(self, obj: Any, /) -> bytes:
        return _to_wire(self._encoder.encode(obj))


def json_decoder(type_: Any, *, strict: bool = False) -> JsonDecoder[Any]:
    """msgspec's JSON decoder for `type_` (numbers as strings and the reverse tolerated)."""
    decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(type_, strict=strict)
    return _Decoder(decoder) if WIRE_NAMES else decoder


def json_encoder(**options: Any) -> JsonEncoder:
    """msgspec's JSON encoder (`options` as msgspec.json.Encoder takes them)."""
    encoder = msgspec.json.Encoder(**options)
    return _Encoder(encoder) if WIRE_NAMES else encoder


_ENCODER = json_encoder()
json_encode: Callable[[Any], bytes] = _ENCODER.encode
