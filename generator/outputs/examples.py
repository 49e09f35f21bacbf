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

from generator.document import (
    AsyncAPIModel,
    MediaType,
    Message,
    OpenAPIModel,
    Schema,
    Tag,
    model_of,
)
from generator.document import Operation as DocOperation
from generator.load import Document, Resolver
from generator.model.ir import Operation, Param, RestApi, WsApi, WsParam
from generator.model.types import merged_properties
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


def _media_examples(media: MediaType) -> list[tuple[str, str, Any]]:
    """(name, summary, value) of a media type's named `examples`, then its `example`."""
    named = [(str(e.name), e.summary, e.value) for e in media.examples if e.name is not None]
    plain = [("example", "", e.value) for e in media.examples if e.name is None]
    return named + plain


def _schema_example(schema: Schema | None, resolver: Resolver) -> Any:
    if schema is None:
        return None
    return schema_example(schema.value, resolver, schema.location.doc, schema.location.pointer)


def _tags(tags: list[Tag]) -> dict[str, str]:
    return {t.name: t.description.strip() for t in tags}


# -- OpenAPI ---------------------------------------------------------------------------------
def _is_error(value: Any, api: RestApi, op: Operation) -> bool:
    env = api.envelope
    if env is None or not op.enveloped or not isinstance(value, dict):
        return False
    return value.get(env.error) is not None


def rest_examples(api: RestApi, doc: Document) -> tuple[dict[str, RestExamples], dict[str, str]]:
    model = model_of(doc)
    if not isinstance(model, OpenAPIModel):
        return {op.operation_id: RestExamples({}) for op in api.operations}, {}
    nodes = {(node.path, node.method): node for node in model.operations}
    out: dict[str, RestExamples] = {}
    for op in api.operations:
        node = nodes.get((op.path, op.http_method.lower()))
        args = _rest_args(op, node, model.resolver, doc)
        responses = _rest_responses(api, op, node, model.resolver) if node else []
        out[op.operation_id] = RestExamples(args, tuple(responses))
    return out, _tags(model.tags)


def _rest_args(
    op: Operation, node: DocOperation | None, resolver: Resolver, doc: Document
) -> dict[str, Any]:
    found: dict[tuple[str, str], Any] = {}
    declared = (node.path_parameters + node.parameters) if node is not None else []
    for p in declared:
        if "name" not in p.raw:
            continue
        value: Any = p.examples[0].value if p.examples else _MISSING
        if value is _MISSING:
            schema = p.schema
            if schema is None and p.content:
                schema = p.content[0].schema
            value = _schema_example(schema, resolver)
        found[(p.name, p.location_in)] = value
    body_values: dict[str, Any] = {}
    body_props: dict[str, Any] = {}
    body = node.request_body if node is not None else None
    if body is not None:
        by_type = {m.media_type: m for m in body.content}
        media = by_type.get(op.body_media_type or "") or next(iter(body.content), None)
        if media is not None:
            examples = _media_examples(media)
            if examples and isinstance(examples[0][2], dict):
                body_values = dict(examples[0][2])
            elif examples:
                body_values = {"body": examples[0][2]}
            if media.schema is not None:
                where = media.schema.location
                body_props = merged_properties(
                    media.schema.value, resolver, where.doc, where.pointer
                )
            if "body" not in body_values and not body_props:
                body_values.setdefault("body", _schema_example(media.schema, resolver))
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
    api: RestApi, op: Operation, node: DocOperation, resolver: Resolver
) -> list[Example]:
    by_status = {r.status: r for r in node.responses}
    code = next((c for c in sorted(by_status) if c.startswith("2")), None)
    if code is None:
        return []
    media = next((m for m in by_status[code].content if "json" in m.media_type), None)
    if media is None:
        return []
    out = [
        Example(name, summary, value, _is_error(value, api, op))
        for name, summary, value in _media_examples(media)
    ]
    if not out:
        value = _schema_example(media.schema, resolver)
        if value is not None:
            out.append(Example("schema", "made up from the schema", value, False))
    return out


# -- AsyncAPI --------------------------------------------------------------------------------
def _payload_examples(message: Message | None) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for i, example in enumerate(message.examples if message is not None else []):
        if example.payload is not None:
            name = example.name if example.name is not None else f"example {i + 1}"
            out.append((name, example.summary, example.payload.value))
    return out


def ws_examples(ws: WsApi, doc: Document) -> tuple[dict[str, WsExamples], dict[str, str]]:
    model = model_of(doc)
    if not isinstance(model, AsyncAPIModel):
        return {m.name: WsExamples(()) for m in ws.methods}, {}
    resolver = model.resolver
    framing = ws.framing
    params_key = framing.request_params if framing else "params"
    error_key = framing.reply_error if framing else "error"
    by_role: dict[tuple[str, str], Message] = {}
    for message in model.messages:
        extension = message.extensions.get("x-rpc-method")
        rpc = extension.value if extension is not None else None
        if isinstance(rpc, dict) and "name" in rpc and "kind" in rpc:
            by_role.setdefault((str(rpc["name"]), str(rpc["kind"])), message)
    out: dict[str, WsExamples] = {}
    for method in ws.methods:
        args: tuple[Any, ...] | None = None
        for _, _, payload in _payload_examples(by_role.get((method.name, method.kind))):
            if isinstance(payload, dict) and isinstance(payload.get(params_key), list):
                args = tuple(payload[params_key])
                break
        if args is None:
            args = tuple(_ws_param_example(p, resolver, doc) for p in method.params if p.required)
        replies = tuple(
            Example(n, s, v, isinstance(v, dict) and v.get(error_key) is not None)
            for n, s, v in _payload_examples(by_role.get((method.name, "reply")))
        )
        push = by_role.get((method.push, "push")) if method.push else None
        pushes = tuple(Example(n, s, v) for n, s, v in _payload_examples(push))
        out[method.name] = WsExamples(args, replies, pushes)
    return out, _tags(model.tags)


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
