"""Constants and small schema helpers shared by the RPC and plain-message builders."""

from __future__ import annotations

from typing import Any

import jsonschema

from generator.load import Document, Resolver
from generator.model.types import TypeMapper
from generator.problems import SpecError, join_pointer

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


def model_aliases(
    root: dict[str, Any], doc: Document, resolver: Resolver, types: TypeMapper
) -> tuple[tuple[str, str], ...]:
    """(component name, class) for the document's schemas whose class has another name (a schema
    shared with the REST half keeps that half's name): `ws_models` keeps the old name importable."""
    components = root.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    out: list[tuple[str, str]] = []
    for key, node in schemas.items() if isinstance(schemas, dict) else ():
        try:
            loc = resolver.follow(node, doc, join_pointer("/components/schemas", key))
        except SpecError:
            continue
        name = types.model_of(loc)
        known = name is not None and name in types.reached
        if known and key != name and key.isidentifier() and key not in types.models.schemas:
            out.append((str(key), str(name)))
    return tuple(out)
