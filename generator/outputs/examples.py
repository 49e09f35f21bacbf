"""Example values from the specs, for the outputs that show or send concrete requests.

The intermediate model (`model/ir.py`) keeps what the SDK needs and drops `example`/`examples`;
Postman, Insomnia and the reference docs need them back. This module reads them from the loaded
documents next to the model: parameter and property examples (falling back to `default`, the first
`enum` value, then a value made up from the schema's type), response examples, tag descriptions
and, for AsyncAPI, the `examples` of the request, reply and push messages of every RPC method.

Nothing here knows an exchange: everything is looked up through standard keywords and the
`x-rpc-method` extension.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.load import Document, Resolver
from generator.model.ir import Operation, Param, RestApi, WsApi, WsParam
from generator.model.schemas import merged_properties
from generator.problems import join_pointer

_MISSING = object()


@dataclass(frozen=True)
class Example:
    """One named example of a response, reply or push body."""

    name: str
    summary: str
    value: Any
    is_error: bool = False


@dataclass(frozen=True)
class RestExamples:
    """Example arguments of one operation and the examples of its 2xx response."""

    args: dict[str, Any]  # wire name -> example value (user-facing parameters only)
    responses: tuple[Example, ...] = ()

    @property
    def success(self) -> Example | None:
        return next((e for e in self.responses if not e.is_error), None)


@dataclass(frozen=True)
class WsExamples:
    args: tuple[Any, ...]  # positional example arguments
    replies: tuple[Example, ...] = ()
    pushes: tuple[Example, ...] = ()

    @property
    def success(self) -> Example | None:
        return next((e for e in self.replies if not e.is_error), None)


@dataclass
class SpecExamples:
    rest: dict[str, RestExamples] = field(default_factory=dict)  # by operation_id
    ws: dict[str, WsExamples] = field(default_factory=dict)  # by wire method name
    rest_tags: dict[str, str] = field(default_factory=dict)  # tag -> description
    ws_tags: dict[str, str] = field(default_factory=dict)


# -- values ----------------------------------------------------------------------------------
def wire_text(value: Any, json_encoded: bool = False) -> str:
    """The text an SDK sends for a parameter value (as `_checks.encode` does)."""
    if json_encoded or isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f") if math.isfinite(value) else str(value)
    if value is None:
        return ""
    return str(value)


def wire_values(param: Param, value: Any) -> list[str]:
    """Texts sent for one parameter: several for an exploded (not JSON-encoded) array."""
    if (
        isinstance(value, list)
        and not param.json_encoded
        and param.location in ("query", "form", "multipart")
    ):
        return [wire_text(v) for v in value]
    return [wire_text(value, param.json_encoded)]


def schema_example(
    schema: Any, resolver: Resolver, doc: Document, pointer: str = "", depth: int = 0
) -> Any:
    """An example for a schema: its example, default, first enum value, or one made up from its type."""
    located = resolver.follow(schema, doc, pointer)
    node, doc, pointer = located.value, located.doc, located.pointer
    if not isinstance(node, dict) or depth > 6:
        return None
    for key in ("example", "default", "const"):
        if key in node:
            return node[key]
    if isinstance(node.get("examples"), list) and node["examples"]:
        return node["examples"][0]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                target = resolver.deref(branch, doc, join_pointer(pointer, key, i))
                if isinstance(target, dict) and target.get("type") == "null":
                    continue
                found = schema_example(
                    branch, resolver, doc, join_pointer(pointer, key, i), depth + 1
                )
                if found is not None:
                    return found
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array" or "items" in node:
        items = node.get("items")
        if isinstance(items, list):  # positional (draft-07 list form)
            return [
                schema_example(s, resolver, doc, join_pointer(pointer, "items", i), depth + 1)
                for i, s in enumerate(items)
            ]
        item = (
            schema_example(items, resolver, doc, join_pointer(pointer, "items"), depth + 1)
            if items
            else None
        )
        return [item] if item is not None else []
    if kind == "object" or "properties" in node:
        props = merged_properties(node, resolver, doc, pointer)
        required = set(node.get("required") or ())
        return {
            name: schema_example(sub, resolver, sub_doc, sub_ptr, depth + 1)
            for name, (sub, sub_doc, sub_ptr) in props.items()
            if name in required or not required
        }
    if kind == "integer":
        minimum = node.get("minimum")
        return (
            int(minimum)
            if isinstance(minimum, (int, float)) and not isinstance(minimum, bool)
            else 0
        )
    if kind == "number":
        return "0" if node.get("format") == "decimal" else 0
    if kind == "boolean":
        return False
    if kind == "string" or node.get("format") == "decimal":
        return "0" if node.get("format") == "decimal" else "string"
    return None


def _media_examples(
    media: dict[str, Any], resolver: Resolver, doc: Document, pointer: str
) -> list[tuple[str, str, Any]]:
    """(name, summary, value) of an OpenAPI media type object's `examples` / `example`."""
    out: list[tuple[str, str, Any]] = []
    examples = media.get("examples")
    if isinstance(examples, dict):
        for name, raw in examples.items():
            example = resolver.deref(raw, doc, join_pointer(pointer, "examples", name))
            if isinstance(example, dict) and "value" in example:
                out.append((str(name), str(example.get("summary", "")), example["value"]))
    if "example" in media:
        out.append(("example", "", media["example"]))
    return out


# -- OpenAPI ---------------------------------------------------------------------------------
def _is_error(value: Any, api: RestApi, op: Operation) -> bool:
    env = api.envelope
    if env is None or not op.enveloped or not isinstance(value, dict):
        return False
    return value.get(env.error) is not None


def rest_examples(api: RestApi, doc: Document) -> tuple[dict[str, RestExamples], dict[str, str]]:
    resolver = Resolver(doc)
    root = doc.data if isinstance(doc.data, dict) else {}
    paths = root.get("paths") or {}
    out: dict[str, RestExamples] = {}
    for op in api.operations:
        pointer = join_pointer("/paths", op.path)
        path_item = resolver.deref(paths.get(op.path) or {}, doc, pointer)
        raw = (path_item or {}).get(op.http_method.lower()) or {}
        op_ptr = join_pointer(pointer, op.http_method.lower())
        args = _rest_args(op, raw, path_item or {}, resolver, doc, op_ptr)
        out[op.operation_id] = RestExamples(
            args, tuple(_rest_responses(api, op, raw, resolver, doc, op_ptr))
        )
    tags = {
        str(t.get("name")): str(t.get("description", "")).strip()
        for t in root.get("tags") or []
        if isinstance(t, dict) and "name" in t
    }
    return out, tags


def _rest_args(
    op: Operation,
    raw: dict[str, Any],
    path_item: dict[str, Any],
    resolver: Resolver,
    doc: Document,
    pointer: str,
) -> dict[str, Any]:
    found: dict[tuple[str, str], Any] = {}
    for base, ptr in (
        (path_item.get("parameters") or [], pointer.rsplit("/", 1)[0]),
        (raw.get("parameters") or [], pointer),
    ):
        for i, item in enumerate(base):
            located = resolver.follow(item, doc, join_pointer(ptr, "parameters", i))
            p = located.value
            if not isinstance(p, dict) or "name" not in p:
                continue
            value = p.get("example", _MISSING)
            if value is _MISSING and isinstance(p.get("examples"), dict) and p["examples"]:
                first = resolver.deref(
                    next(iter(p["examples"].values())), located.doc, located.pointer
                )
                value = first.get("value", _MISSING) if isinstance(first, dict) else _MISSING
            if value is _MISSING:
                schema = p.get("schema")
                if schema is None and isinstance(p.get("content"), dict) and p["content"]:
                    schema = next(iter(p["content"].values())).get("schema")
                value = schema_example(
                    schema or {}, resolver, located.doc, join_pointer(located.pointer, "schema")
                )
            found[(str(p["name"]), str(p.get("in")))] = value
    body_values: dict[str, Any] = {}
    body_props: dict[str, Any] = {}
    if "requestBody" in raw:
        located = resolver.follow(raw["requestBody"], doc, join_pointer(pointer, "requestBody"))
        content = located.value.get("content") or {}
        media_name = (
            op.body_media_type if op.body_media_type in content else next(iter(content), None)
        )
        if media_name is not None:
            media = content[media_name]
            media_ptr = join_pointer(located.pointer, "content", media_name)
            examples = _media_examples(media, resolver, located.doc, media_ptr)
            if examples and isinstance(examples[0][2], dict):
                body_values = dict(examples[0][2])
            elif examples:
                body_values = {"body": examples[0][2]}
            body_props = merged_properties(
                media.get("schema", {}), resolver, located.doc, join_pointer(media_ptr, "schema")
            )
            if "body" not in body_values and not body_props:
                body_values.setdefault(
                    "body",
                    schema_example(
                        media.get("schema", {}),
                        resolver,
                        located.doc,
                        join_pointer(media_ptr, "schema"),
                    ),
                )
    args: dict[str, Any] = {}
    for param in op.params:
        if param.location in ("form", "multipart", "json", "body"):
            if param.name in body_values:
                args[param.name] = body_values[param.name]
            elif param.name in body_props:
                sub, sub_doc, sub_ptr = body_props[param.name]
                args[param.name] = schema_example(sub, resolver, sub_doc, sub_ptr)
            else:
                args[param.name] = param.default if param.has_default else None
        else:
            value = found.get((param.name, param.location), _MISSING)
            args[param.name] = (
                value if value is not _MISSING else schema_example(param.schema, resolver, doc)
            )
    return args


def _rest_responses(
    api: RestApi,
    op: Operation,
    raw: dict[str, Any],
    resolver: Resolver,
    doc: Document,
    pointer: str,
) -> list[Example]:
    responses = raw.get("responses") or {}
    code = next((c for c in sorted(map(str, responses)) if c.startswith("2")), None)
    if code is None:
        return []
    where = join_pointer(pointer, "responses", code)
    located = resolver.follow(responses[code], doc, where)
    content = (located.value.get("content") or {}) if isinstance(located.value, dict) else {}
    media_name = next((m for m in content if "json" in m), None)
    if media_name is None:
        return []
    media = content[media_name]
    media_ptr = join_pointer(located.pointer, "content", media_name)
    out = [
        Example(name, summary, value, _is_error(value, api, op))
        for name, summary, value in _media_examples(media, resolver, located.doc, media_ptr)
    ]
    if not out:
        value = schema_example(
            media.get("schema", {}), resolver, located.doc, join_pointer(media_ptr, "schema")
        )
        if value is not None:
            out.append(Example("schema", "made up from the schema", value, False))
    return out


# -- AsyncAPI --------------------------------------------------------------------------------
def _messages(doc: Document, resolver: Resolver) -> list[dict[str, Any]]:
    """Every message object of the document (components and channels), each once."""
    root = doc.data if isinstance(doc.data, dict) else {}
    seen: set[int] = set()
    out: list[dict[str, Any]] = []

    def add(node: Any, pointer: str) -> None:
        value = resolver.deref(node, doc, pointer)
        if not isinstance(value, dict):
            return
        if isinstance(value.get("oneOf"), list):
            for i, branch in enumerate(value["oneOf"]):
                add(branch, join_pointer(pointer, "oneOf", i))
            return
        if id(value) not in seen:
            seen.add(id(value))
            out.append(value)

    for name, message in ((root.get("components") or {}).get("messages") or {}).items():
        add(message, join_pointer("/components/messages", name))
    for channel_name, channel in (root.get("channels") or {}).items():
        if not isinstance(channel, dict):
            continue
        for role in ("publish", "subscribe"):
            operation = channel.get(role)
            if isinstance(operation, dict) and "message" in operation:
                add(operation["message"], join_pointer("/channels", channel_name, role, "message"))
        for name, message in (channel.get("messages") or {}).items():  # AsyncAPI 3
            add(message, join_pointer("/channels", channel_name, "messages", name))
    return out


def _payload_examples(message: dict[str, Any]) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for i, example in enumerate(message.get("examples") or []):
        if isinstance(example, dict) and "payload" in example:
            out.append(
                (
                    str(example.get("name", f"example {i + 1}")),
                    str(example.get("summary", "")),
                    example["payload"],
                )
            )
    return out


def ws_examples(ws: WsApi, doc: Document) -> tuple[dict[str, WsExamples], dict[str, str]]:
    resolver = Resolver(doc)
    framing = ws.framing
    params_key = framing.request_params if framing else "params"
    error_key = framing.reply_error if framing else "error"
    by_role: dict[tuple[str, str], dict[str, Any]] = {}
    for message in _messages(doc, resolver):
        rpc = message.get("x-rpc-method")
        if isinstance(rpc, dict) and "name" in rpc and "kind" in rpc:
            by_role.setdefault((str(rpc["name"]), str(rpc["kind"])), message)
    out: dict[str, WsExamples] = {}
    for method in ws.methods:
        request = by_role.get((method.name, method.kind)) or {}
        args: tuple[Any, ...] | None = None
        for _, _, payload in _payload_examples(request):
            if isinstance(payload, dict) and isinstance(payload.get(params_key), list):
                args = tuple(payload[params_key])
                break
        if args is None:
            args = tuple(_ws_param_example(p, resolver, doc) for p in method.params if p.required)
        reply = by_role.get((method.name, "reply")) or {}
        replies = tuple(
            Example(n, s, v, isinstance(v, dict) and v.get(error_key) is not None)
            for n, s, v in _payload_examples(reply)
        )
        push = by_role.get((method.push, "push")) if method.push else None
        pushes = tuple(Example(n, s, v) for n, s, v in _payload_examples(push or {}))
        out[method.name] = WsExamples(args, replies, pushes)
    root = doc.data if isinstance(doc.data, dict) else {}
    tags = {
        str(t.get("name")): str(t.get("description", "")).strip()
        for t in root.get("tags") or []
        if isinstance(t, dict) and "name" in t
    }
    return out, tags


def _ws_param_example(param: WsParam, resolver: Resolver, doc: Document) -> Any:
    return schema_example(param.schema, resolver, doc)


def collect(api: RestApi | None, ws: WsApi | None, documents: dict[str, Document]) -> SpecExamples:
    """Examples of every operation and method, from the documents the model was built from."""
    out = SpecExamples()
    if api is not None and "openapi" in documents:
        out.rest, out.rest_tags = rest_examples(api, documents["openapi"])
    elif api is not None:
        out.rest = {
            op.operation_id: RestExamples({p.name: None for p in op.params})
            for op in api.operations
        }
    if ws is not None and "asyncapi" in documents:
        out.ws, out.ws_tags = ws_examples(ws, documents["asyncapi"])
    elif ws is not None:
        out.ws = {m.name: WsExamples(()) for m in ws.methods}
    return out
