"""Constants and small schema helpers shared by the RPC and plain-message builders."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import jsonschema

from generator.document import AsyncAPIModel, Location, Message, Schema
from generator.load import Document, Located, Resolver
from generator.model.types import TypeMapper
from generator.problems import Diagnostics, Severity, SpecError, join_pointer

METHOD_KINDS = ("request", "subscribe", "unsubscribe", "push", "reply")
FRAME_CODECS = ("gzip", "zlib", "deflate", "auto", "none")
# Names the generated WebSocketClient defines itself; a spec method may not take them.
CLIENT_NAMES = {
    "close",
    "connect",
    "events",
    "request",
    "subscribe",
    "url",
    "connected",
    "order_book",
}
# Keyword arguments every generated method adds; spec parameters are renamed around them.
PARAM_RESERVED = {"self", "timeout", "maxsize", "policy"}


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _resolved(node: Any, resolver: Resolver, doc: Document, pointer: str, level: int = 0) -> Any:
    """A copy of the schema with $refs inlined (nesting bounded), for documentation and checks."""
    loc = resolver.follow(node, doc, pointer)
    if level > 8:
        return {}
    if isinstance(loc.value, dict):
        return {
            k: _resolved(v, resolver, loc.doc, join_pointer(loc.pointer, k), level + 1)
            for k, v in loc.value.items()
            if k not in ("example", "examples") and not k.startswith("x-")
        }
    if isinstance(loc.value, list):
        return [
            _resolved(v, resolver, loc.doc, join_pointer(loc.pointer, i), level + 1)
            for i, v in enumerate(loc.value)
        ]
    return loc.value


def _discriminator(schema: dict[str, Any]) -> str | None:
    found = schema.get("discriminator")
    if isinstance(found, dict):  # OpenAPI-style {propertyName: ...}
        found = found.get("propertyName")
    return found if isinstance(found, str) and found else None


def _shape(schema: dict[str, Any]) -> str:
    """Which JSON type a schema's instances have: object, array, string, ... or any."""
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        kind = rest[0] if len(rest) == 1 else "any"
    if kind == "object" or (
        kind is None and any(k in schema for k in ("properties", "allOf", "additionalProperties"))
    ):
        return "object"
    if kind == "array" or (kind is None and "items" in schema):
        return "array"
    if kind in ("integer", "number"):
        return "number"
    if kind in ("string", "boolean", "null"):
        return str(kind)
    return "any"


def _inlined(
    node: Any,
    resolver: Resolver,
    doc: Document,
    pointer: str,
    seen: tuple[tuple[str, str], ...] = (),
) -> Any:
    """A copy of the schema with every $ref inlined; a $ref back into itself becomes {}."""
    loc = resolver.follow(node, doc, pointer)
    here = (str(loc.doc.path), loc.pointer)
    if here in seen:
        return {}
    seen = (*seen, here)
    if isinstance(loc.value, dict):
        return {
            k: _inlined(v, resolver, loc.doc, join_pointer(loc.pointer, k), seen)
            for k, v in loc.value.items()
            if not k.startswith("x-")
        }
    if isinstance(loc.value, list):
        return [
            _inlined(v, resolver, loc.doc, join_pointer(loc.pointer, i), seen)
            for i, v in enumerate(loc.value)
        ]
    return loc.value


def _valid(value: Any, schema: dict[str, Any]) -> bool:
    try:
        return bool(jsonschema.Draft7Validator(schema).is_valid(value))
    except Exception:  # noqa: BLE001 - a schema the validator cannot use: no usable default
        return False


def _join_url(server: str, address: str) -> str:
    """The WebSocket URL of a channel: the server URL joined with the channel address."""
    if "://" in address:
        return address
    if not address:
        return server
    return server.rstrip("/") + "/" + address.lstrip("/")


def model_aliases(model: AsyncAPIModel, types: TypeMapper) -> tuple[tuple[str, str], ...]:
    """(component name, class) for the document's schemas whose class has another name (a schema
    shared with the REST half keeps that half's name): `ws_models` keeps the old name importable."""
    out: list[tuple[str, str]] = []
    for key, schema in model.schemas.items():
        name = types.model_of(located(schema))
        known = name is not None and name in types.reached
        if known and key != name and key.isidentifier() and key not in types.models.schemas:
            out.append((str(key), str(name)))
    return tuple(out)


def located(schema: Schema) -> Located:
    """A document-model schema as the TypeMapper's `Located`."""
    return Located(schema.value, schema.location.doc, schema.location.pointer)


def typed(schema: Schema) -> tuple[Any, Document, str]:
    """A schema as the TypeMapper takes it: one reached through a `$ref` is handed over as a
    local `$ref` to where it lives, so a named schema keeps its name."""
    where = schema.location
    if schema.via_ref:
        ref = "#" + urllib.parse.quote(where.pointer, safe="/~!$&'()*+,;=:@")
        return {"$ref": ref}, where.doc, where.pointer
    return schema.value, where.doc, where.pointer


class Collector:
    """Where the builders report: one `Diagnostics`, errors raised at `check()`."""

    def __init__(self) -> None:
        self.diagnostics = Diagnostics()
        self.where: Location | None = None  # what is being read, for unexpected shapes

    def fail(self, where: Location, message: str) -> None:
        self.diagnostics.add(where.problem(message, "asyncapi-model"))

    def warn(self, where: Location, message: str) -> None:
        self.diagnostics.add(
            where.doc.problem(where.pointer, message, "asyncapi-model", severity=Severity.WARNING)
        )

    def note(self, where: Location, message: str) -> None:
        self.diagnostics.add(
            where.doc.problem(where.pointer, message, "asyncapi-model", severity=Severity.NOTE)
        )

    def check(self) -> None:
        self.diagnostics.raise_errors()

    def absorb(self, exc: SpecError) -> None:
        """Problems a shared helper raised (e.g. `build_errors`) join the others."""
        self.diagnostics.extend(exc.problems)


@dataclass
class _Message:
    """A message of an x-rpc API: its `x-rpc-method` and the document-model node."""

    key: str  # component name (or a name from its place for inline messages)
    rpc: dict[str, Any]
    node: Message
    where: Location  # of its x-rpc-method
