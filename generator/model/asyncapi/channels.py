"""Plain messages (no x-rpc): one client class per channel, what it sends and receives."""

from __future__ import annotations

import re
from typing import Any, Protocol

from generator.document import AsyncAPIModel, AsyncOperation, Channel, Location, Message
from generator.document.asyncapi import is_json_schema_format
from generator.load import Document, Resolver
from generator.model.asyncapi.common import (
    _discriminator,
    _inlined,
    _join_url,
    _resolved,
    _shape,
    _text,
    _valid,
    model_aliases,
    typed,
)
from generator.model.ir import WsApi, WsChannel, WsMessage, WsParam, WsRequest, WsVariant
from generator.model.pytype import ANY, BYTES, NONE, scalar, union
from generator.model.types import _NO_CONST, TypeMapper, _constant, decodable
from generator.naming import pascal, snake, unique
from generator.problems import join_pointer, split_pointer


class _Builder(Protocol):
    """What the plain builder uses of `rpc._Builder` (structural: channels must not import rpc)."""

    doc: Document
    resolver: Resolver
    types: TypeMapper
    model: AsyncAPIModel
    where: Location | None
    package: str

    def fail(self, where: Location, message: str) -> None: ...
    def warn(self, where: Location, message: str) -> None: ...
    def note(self, where: Location, message: str) -> None: ...
    def check(self) -> None: ...
    def server(self, allowed: list[str] | None = None) -> tuple[str, str]: ...
    def binary_frames(self) -> str: ...


# -- plain messages (no x-rpc) ------------------------------------------------------------------
# Who sends what. AsyncAPI 2.x documents describe the server: `publish` = others publish to it (the
# client sends), `subscribe` = others subscribe (the client receives). AsyncAPI 3.0 documents
# describe the application the SDK is: `send` = the client sends, `receive` = it receives.
V2_DIRECTIONS = {"publish": "send", "subscribe": "receive"}
V3_DIRECTIONS = {"send": "send", "receive": "receive"}
# Names the plain-message client classes define themselves (channel parameters avoid them).
PLAIN_RESERVED = {
    "self", "url", "server", "backoff", "watchdog", "ping_interval", "ping_timeout",
    "send_timeout", "max_queue", "queue_policy", "on_event", "connect_options",
}  # fmt: skip
CONTAINER_NAMES = {"close", "connect", "channels", "url"}
# Methods and properties of every channel client (awaitable request methods avoid them).
CLIENT_METHODS = {"close", "connect", "connected", "events", "messages", "send", "url"}

_Op = tuple[str, Message, str]  # (send | receive, message, name when it has none of its own)


class _PlainBuilder:
    """Channels, messages and payload models of a document without x-rpc."""

    def __init__(self, base: _Builder) -> None:
        self.base = base
        self.doc, self.resolver, self.types = base.doc, base.resolver, base.types
        self.model = base.model
        self.version = self.model.version
        self.v3 = self.version.startswith("3.")
        self.default_content_type = self.model.default_content_type or "application/json"

    def _channel_ops(self) -> list[tuple[Channel, list[_Op]]]:
        """Each channel with what the client sends and receives on it, in document order."""
        found: dict[int, tuple[Channel, list[_Op]]] = {id(c): (c, []) for c in self.model.channels}
        for op in self.model.operations:
            direction = (V3_DIRECTIONS if self.v3 else V2_DIRECTIONS).get(op.action)
            if direction is None or op.channel is None or id(op.channel) not in found:
                continue
            ops = found[id(op.channel)][1]
            fallback = f"{op.channel.key}_{direction}"
            for message in op.messages:
                ops.append((direction, message, _fallback(message, op, fallback)))
            back = "receive" if direction == "send" else "send"
            for message in op.reply_messages:
                ops.append((back, message, _fallback(message, op, f"{op.channel.key}_{back}")))
        return list(found.values())

    # -- the model ---------------------------------------------------------------------------
    def build(self) -> WsApi:
        base = self.base
        self.types.const_defaults = True
        binary = base.binary_frames()
        channels: list[WsChannel] = []
        class_names: set[str] = set()
        attrs: set[str] = set(CONTAINER_NAMES)
        with_ops = [c for c in self._channel_ops() if c[1]]
        for channel, ops in with_ops:
            key = channel.key
            base.where = channel.location
            sends: list[WsMessage] = []
            receives: list[WsMessage] = []
            built_at: dict[tuple[str, Location], WsMessage] = {}
            names: dict[str, set[str]] = {"send": set(), "receive": set()}
            for direction, message, fallback in ops:
                ident = (direction, message.location)
                if ident in built_at:
                    continue
                built = built_at[ident] = self._message(message, fallback, names[direction])
                (sends if direction == "send" else receives).append(built)
            address = channel.address or ""
            server_url, protocol = base.server(channel.servers or None)
            single = len(with_ops) == 1
            channels.append(
                WsChannel(
                    name=key,
                    address=address,
                    class_name="WebSocketClient"
                    if single
                    else unique(pascal(key, fallback="Root") + "Channel", class_names),
                    attr=unique(snake(key, fallback="root"), attrs),
                    server_url=server_url,
                    protocol=protocol,
                    parameters=self._parameters(channel, address),
                    sends=tuple(sends),
                    receives=tuple(receives),
                    description=_text(channel.description),
                    requests=self._requests(channel, built_at),
                )
            )
        if not channels:  # nothing to send or receive: still a client, for raw frames
            where = "/operations" if self.v3 else "/channels"
            base.warn(
                Location.at(self.doc, where),
                "no operation sends or receives a message: the client has only send(raw) and "
                "messages() (every frame comes as UnknownMessage)",
            )
            server_url, protocol = base.server()
            channels.append(
                WsChannel(
                    name="",
                    address="",
                    class_name="WebSocketClient",
                    attr="default",
                    server_url=server_url,
                    protocol=protocol,
                )
            )
        base.check()
        info = self.model.info
        url = ""
        if len(channels) == 1:
            url = _join_url(channels[0].server_url, channels[0].address)
        elif channels:
            url = channels[0].server_url
        return WsApi(
            title=str(info.get("title", base.package)),
            version=str(info.get("version", "0")),
            description=str(info.get("description", "")).strip(),
            url=url,
            spec_file=self.doc.path.name,
            spec_sha256=self.doc.sha256,
            framing=None,
            binary_frames=binary,
            auth=None,
            heartbeat=None,
            request_timeout=10.0,
            methods=[],
            pushes=[],
            models=self.types.models,
            model_names=tuple(self.types.reached),
            model_aliases=model_aliases(self.model, self.types),
            error_codes={},
            channels=channels,
            asyncapi_version=self.version,
            warnings=[],
        )

    def _requests(
        self, channel: Channel, built_at: dict[tuple[str, Location], WsMessage]
    ) -> tuple[WsRequest, ...]:
        """The channel's 3.0 `send` operations with a `reply`, matched by correlation id."""
        out: list[WsRequest] = []
        taken = set(CLIENT_METHODS)
        for direction, names in (("send", "send_"), ("receive", "receive_")):
            taken |= {names + m.py_name for (d, _), m in built_at.items() if d == direction}
        for op in self.model.operations:
            if not (self.v3 and op.action == "send" and op.channel is channel):
                continue
            if not op.reply_messages:
                continue
            where = op.reply_location or op.location
            if len(op.messages) != 1:
                self.base.warn(
                    op.location.child("messages"),
                    f"operation {op.key!r} has a reply but not exactly one message to send: "
                    "no awaitable method (its messages are sent and received as usual)",
                )
                continue
            request, replies = op.messages[0], op.reply_messages
            paths = [_correlation(m) for m in (request, *replies)]
            if any(p is None for p in paths) or len(set(paths[1:])) != 1:
                self.base.note(
                    where,
                    f"operation {op.key!r} has a reply, but its messages have no common "
                    "correlationId in the payload ($message.payload#/...): no awaitable method",
                )
                continue
            request_id, reply_id = paths[0], paths[1]
            assert request_id is not None and reply_id is not None
            sent = built_at[("send", request.location)]
            got = tuple(built_at[("receive", m.location)] for m in replies)
            out.append(
                WsRequest(
                    name=op.key,
                    py_name=unique(snake(op.key, fallback="request"), taken),
                    summary=_text(op.summary or op.title),
                    description=op.description.strip(),
                    request=sent,
                    replies=got,
                    result=union([m.payload for m in got]),
                    request_id=request_id,
                    reply_id=reply_id,
                    id_kind=_id_kind(sent.schema, request_id),
                )
            )
        return tuple(out)

    def _parameters(self, channel: Channel, address: str) -> tuple[WsParam, ...]:
        """Keyword arguments of the channel's client: one per `{placeholder}` of the address."""
        declared = {p.name: p for p in channel.parameters}
        taken = set(PLAIN_RESERVED)
        out: list[WsParam] = []
        for name in dict.fromkeys(re.findall(r"\{([^{}]+)\}", address)):
            param = declared.get(name)
            where = param.location if param else channel.location.child("parameters", name)
            if self.v3:  # 3.0 parameters are strings, optionally an enum with a default
                raw = param.raw if param else {}
                node: Any = {
                    "type": "string",
                    **{k: raw[k] for k in ("enum", "default") if k in raw},
                }
                at = where.child("schema")
            elif (
                param is not None
                and param.schema is not None
                and isinstance(param.schema.value, dict)
            ):
                node, doc, pointer = typed(param.schema)
                at = Location.at(doc, pointer)
            else:
                node, at = {"type": "string"}, where.child("schema")
            resolved = _resolved(node, self.resolver, at.doc, at.pointer)
            resolved = resolved if isinstance(resolved, dict) else {}
            py_type = self.types.param_type(node, at.doc, at.pointer)
            if py_type.kind in ("any", "none", "mapping", "sequence", "tuple"):
                py_type = scalar("str")
            has_default = "default" in resolved
            if has_default and not _valid(resolved["default"], resolved):
                self.base.warn(where, f"the default of parameter {name!r} does not fit its schema")
                has_default = False
            out.append(
                WsParam(
                    name=name,
                    py_name=unique(snake(name, fallback="param"), taken),
                    py_type=py_type,
                    schema=resolved,
                    description=_text(param.description if param else ""),
                    required=not has_default,
                    default=resolved.get("default") if has_default else None,
                )
            )
        return tuple(out)

    def _message(self, msg: Message, fallback: str, taken: set[str]) -> WsMessage:
        self.base.where = msg.location
        name = msg.message_id or msg.name or fallback
        content_type = msg.content_type or self.default_content_type
        fmt = msg.payload_format
        raw = False
        if fmt is not None and not is_json_schema_format(fmt):
            self.base.warn(
                msg.payload_format_location or msg.location,
                f"schemaFormat {fmt!r} is not JSON Schema: the payload of message {name!r} "
                "is passed through as raw bytes (not decoded or checked)",
            )
            raw = True
        elif "json" not in content_type.lower():
            raw = True  # e.g. text/plain, application/octet-stream: the frame as it is
        listed = msg.examples or msg.trait_examples  # a trait's only when it has none
        examples = tuple(e.payload.value for e in listed if e.payload is not None)
        py_name = unique(snake(name, fallback="message"), taken)
        summary = _text(msg.summary or msg.title)
        if raw:
            return WsMessage(
                name=name,
                py_name=py_name,
                summary=summary,
                description=msg.description.strip(),
                payload=BYTES,
                variants=(WsVariant(BYTES, "any"),),
                raw=True,
                content_type=content_type,
                examples=examples,
            )
        schema: Any = None
        if msg.payload is None:
            variants = [WsVariant(ANY, "any")]
        else:
            node, doc, pointer = typed(msg.payload)
            variants = self._variants(node, doc, pointer, pascal(name, fallback="Message"), None)
            where = msg.payload.location
            schema = _inlined(msg.payload.value, self.resolver, where.doc, where.pointer)
        py = union([v.py_type for v in variants])
        return WsMessage(
            name=name,
            py_name=py_name,
            summary=summary,
            description=msg.description.strip(),
            payload=py,
            variants=tuple(variants),
            content_type=content_type,
            examples=examples,
            schema=schema,
        )

    def _variants(
        self, node: Any, doc: Document, pointer: str, hint: str, discriminator: str | None
    ) -> list[WsVariant]:
        """The JSON shapes of a payload: one per branch of a top-level oneOf/anyOf."""
        loc, named = self.types.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return [WsVariant(ANY, "any")]
        branches, nullable, key = self.types.non_null(value)
        if key:
            tag = _discriminator(value) or discriminator
            out: list[WsVariant] = []
            kept = [(i, b) for i, b in enumerate(value[key]) if any(b is k for k in branches)]
            for n, (i, branch) in enumerate(kept):
                out += self._variants(
                    branch,
                    loc.doc,
                    join_pointer(loc.pointer, key, i),
                    f"{hint}{n + 1}" if len(kept) > 1 else hint,
                    tag,
                )
            if nullable:
                out.append(WsVariant(NONE, "null"))
            return out or [WsVariant(NONE, "null")]
        _, py, nullable = self.types.visit(node, doc, pointer, hint)
        shape = _shape(value)
        if py.is_none:
            shape = "null"
        variant = WsVariant(decodable(py), shape)
        if shape == "object":
            props = self.types.properties(loc)
            consts: dict[str, Any] = {}
            for prop, (sub, sub_doc, sub_ptr) in props.items():
                found = _constant(self.resolver.deref(sub, sub_doc, sub_ptr))
                if found is not _NO_CONST:
                    consts[prop] = found
            tag = _discriminator(value) or discriminator
            if tag and tag not in consts and named:
                consts[tag] = named  # the discriminator's value is the schema's name
            variant = WsVariant(
                variant.py_type,
                shape,
                tuple(consts.items()),
                tuple(dict.fromkeys(r for r in self.types.required(loc) if r in props)),
                tuple(props),
            )
        out = [variant]
        if nullable and shape != "null":
            out.append(WsVariant(NONE, "null"))
        return out


def _fallback(message: Message, op: AsyncOperation, fallback: str) -> str:
    """The name of a message that has no messageId or name: its key where it is defined, or,
    written inline in the operation (or in a `oneOf` list), one from the operation."""
    where, at = message.location, op.location
    tokens = split_pointer(where.pointer)
    if where.doc is at.doc and (where.pointer + "/").startswith(at.pointer + "/"):
        tokens = tokens[len(split_pointer(at.pointer)) :]  # inline: e.g. message/oneOf/1
        inner = tokens[2:] if tokens[:1] == ["message"] else []
        return f"{fallback}{int(inner[1]) + 1}" if inner[:1] == ["oneOf"] else fallback
    if len(tokens) > 1 and tokens[-2] == "oneOf" and tokens[-1].isdigit():
        return f"{fallback}{int(tokens[-1]) + 1}"
    return tokens[-1] if tokens else fallback


def _correlation(message: Message) -> tuple[str, ...] | None:
    """The payload path of a message's correlation id (`$message.payload#/a/b` -> ("a", "b"))."""
    location = message.correlation_id or ""
    prefix = "$message.payload#"
    if not location.startswith(prefix) or not location[len(prefix) :].startswith("/"):
        return None
    return tuple(split_pointer(location[len(prefix) :]))


def _id_kind(schema: Any, path: tuple[str, ...]) -> str:
    """ "integer" when the request's schema types its correlation id as an integer."""
    for part in path:
        props = schema.get("properties") if isinstance(schema, dict) else None
        schema = props.get(part) if isinstance(props, dict) else None
    kind = schema.get("type") if isinstance(schema, dict) else None
    return (
        "integer"
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind)
        else "string"
    )
