"""Unknown response fields stay reachable: `model.model_extra` (pydantic's name) holds the keys of
the JSON object a model was decoded from that the spec does not declare, values as plain JSON
(numbers with a fraction as Decimal).

Little is paid for it until it is read: the SDK decodes through `decode_keeping`, which notes the
buffer and its decoder; each model decoded from it keeps that note and its own number
(`__post_init__`). The first `model_extra` read of any of them decodes the buffer again, typed and
untyped, and finds every model's object (the n-th model made is the n-th again). Models built by
hand, copies (`copy`, `pickle`, `msgspec.structs.replace`) and models decoded without
`decode_keeping` have none.

`OpenIntEnum` is the base of the spec's coded integers (`x-enum-varnames`).
"""

from __future__ import annotations

import enum
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ._constants import WIRE_NAMES
from ._wire import JsonDecoder

T = TypeVar("T")
_RAW = msgspec.json.Decoder(float_hook=Decimal)


class OpenIntEnum(enum.IntEnum):
    """An IntEnum that decodes any integer: one the spec does not list becomes a member made for
    it (`UNKNOWN_7`, equal to 7), not cached, so a server cannot grow the class."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


# The note of one decoded answer: [bytes, decoder, models made so far, their extras once read].
# A list: the cheapest object to make on every decode. It refers to no model (the models refer to
# it), so decoding makes no reference cycle for the garbage collector.
Note = list[Any]  # [bytes, JsonDecoder | None, int, list[dict] | None]
_BUFFER, _DECODER, _COUNT, _EXTRAS = range(4)


def _extra_of(note: Note, index: int) -> dict[str, Any]:
    """The extras of the index-th model of the answer. Decoding the same bytes with the same
    decoder makes the same models in the same order: decode again, collecting them, and read each
    one's object from an untyped decode (once per answer)."""
    buffer, decoder = note[_BUFFER], note[_DECODER]
    if note[_EXTRAS] is None and decoder is not None:
        made = _Collect()
        token = _SOURCE.set(made)
        try:
            root = decoder.decode(buffer)
        except (msgspec.DecodeError, msgspec.ValidationError):
            root = None
        finally:
            _SOURCE.reset(token)
        try:
            raw = _RAW.decode(buffer)
        except msgspec.DecodeError:
            raw = None
        _walk(root, raw, 0)
        note[_EXTRAS] = [m.__dict__.pop("_extra", None) or {} for m in made.models]
        note[_BUFFER] = note[_DECODER] = None  # let the bytes go
    extras = note[_EXTRAS] or []
    return extras[index] if index < len(extras) else {}


class _Collect:
    """The second decode's note: the models in the order they are made."""

    __slots__ = ("models",)

    def __init__(self) -> None:
        self.models: list[Model] = []


_SOURCE: ContextVar[Note | _Collect | None] = ContextVar("_SOURCE", default=None)


class Model(msgspec.Struct, dict=True):
    """Base of the generated models (`dict=True`: room for the note, not a field)."""

    def __post_init__(self) -> None:
        note = _SOURCE.get()
        if note is None:
            return
        if type(note) is list:
            index = note[_COUNT]
            note[_COUNT] = index + 1
            self.__dict__["_extra"] = (note, index)
        else:
            note.models.append(self)  # type: ignore[union-attr]

    @property
    def model_extra(self) -> dict[str, Any]:
        """The JSON object's keys this model does not declare, with their values."""
        found = self.__dict__.get("_extra")
        if type(found) is tuple:
            found = self.__dict__["_extra"] = _extra_of(*found)
        return found if isinstance(found, dict) else {}


def decode_keeping(decoder: JsonDecoder[T], buffer: Any) -> T:
    """`decoder.decode(buffer)`, noting the buffer for the models' `model_extra`."""
    token = _SOURCE.set([buffer, decoder, 0, None])
    try:
        return decoder.decode(buffer)
    finally:
        _SOURCE.reset(token)


def _walk(typed: Any, raw: Any, nesting: int) -> None:
    """Give each model under `typed` the keys of its object in `raw` it does not declare."""
    if nesting > 64:
        return
    if isinstance(typed, msgspec.Struct):
        cls = type(typed)
        names, wire = cls.__struct_fields__, cls.__struct_encode_fields__
        if WIRE_NAMES:  # stand-ins for names msgspec cannot carry (_wire.py)
            wire = tuple(WIRE_NAMES.get(key, key) for key in wire)
        if isinstance(raw, dict):
            if isinstance(typed, Model):
                known = set(wire)
                tag = cls.__struct_config__.tag_field
                if tag is not None:
                    known.add(tag)
                typed.__dict__["_extra"] = {k: v for k, v in raw.items() if k not in known}
            for name, key in zip(names, wire, strict=True):
                if key in raw:
                    _walk(getattr(typed, name), raw[key], nesting + 1)
        elif isinstance(raw, list):  # array_like
            for name, item in zip(names, raw, strict=False):
                _walk(getattr(typed, name), item, nesting + 1)
    elif isinstance(typed, (list, tuple)) and isinstance(raw, list):
        for item, raw_item in zip(typed, raw, strict=False):
            _walk(item, raw_item, nesting + 1)
    elif isinstance(typed, dict) and isinstance(raw, dict):
        for key, item in typed.items():
            if key in raw:
                _walk(item, raw[key], nesting + 1)
