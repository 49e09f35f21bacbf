"""Constants and small schema helpers shared by the RPC and plain-message builders."""

from __future__ import annotations

import keyword
from typing import Any

import jsonschema

from generator.load import Document, Resolver
from generator.problems import join_pointer

COMPONENT_PREFIX = "#/components/schemas/"
MODULE = "ws_models"
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


# Names the rendered model module imports itself.
_MODULE_NAMES = {
    "Decimal", "Any", "Struct", "field", "UNSET", "UnsetType", "Meta", "Annotated", "Literal",
    "Enum", "Optional", "Union", "List", "Dict", "AwareDatetime", "NaiveDatetime",
}  # fmt: skip
# Schema keywords that only describe (a branch made of these alone adds no constraint).
_ANNOTATIONS = {
    "description", "title", "example", "examples", "default", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "$comment",
}  # fmt: skip


def _annotation_only(node: Any) -> bool:
    return isinstance(node, dict) and all(k in _ANNOTATIONS or k.startswith("x-") for k in node)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _count(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )


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


_NO_CONST = object()


def _constant(schema: Any) -> Any:
    """The one JSON scalar a property schema allows (`const`, or an `enum` of one), if any."""
    if not isinstance(schema, dict):
        return _NO_CONST
    if "const" in schema:
        value = schema["const"]
    elif isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        value = schema["enum"][0]
    else:
        return _NO_CONST
    return value if isinstance(value, (str, int, float, bool)) or value is None else _NO_CONST


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


def _decodable(py: str) -> str:
    """`py` with every union msgspec cannot decode (several models or dicts) widened to Any."""

    def group(text: str) -> str:
        parts, level, start = [], 0, 0
        for i, ch in enumerate(text):
            if ch == "[":
                level += 1
            elif ch == "]":
                level -= 1
            elif ch == "|" and level == 0:
                parts.append(text[start:i].strip())
                start = i + 1
        parts.append(text[start:].strip())
        parts = [inner(p) for p in parts]
        objects = [p for p in parts if p.startswith((f"{MODULE}.", "dict["))]
        arrays = [p for p in parts if p.startswith(("list[", "tuple["))]
        if len(objects) > 1 or len(arrays) > 1:
            return "Any"
        return " | ".join(parts)

    def inner(part: str) -> str:
        if "[" not in part or not part.endswith("]"):
            return part
        head, _, rest = part.partition("[")
        body = rest[:-1]
        pieces, level, start = [], 0, 0
        for i, ch in enumerate(body):
            if ch == "[":
                level += 1
            elif ch == "]":
                level -= 1
            elif ch == "," and level == 0:
                pieces.append(body[start:i])
                start = i + 1
        pieces.append(body[start:])
        return f"{head}[{', '.join(group(p) for p in pieces)}]"

    return group(py)


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
