"""Plain messages (no x-rpc): one client class per channel, what it sends and receives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.load import Document, Located
from generator.model.asyncapi.common import (
    FRAME_CODECS,
    _discriminator,
    _inlined,
    _join_url,
    _resolved,
    _shape,
    _text,
    _valid,
    model_aliases,
)
from generator.model.ir import WsApi, WsChannel, WsMessage, WsParam, WsVariant
from generator.model.pytype import ANY, BYTES, NONE, scalar, union
from generator.model.types import _NO_CONST, _constant, decodable
from generator.naming import pascal, snake, unique
from generator.problems import Problem, Severity, join_pointer

if TYPE_CHECKING:
    from generator.model.asyncapi.rpc import _Builder

# -- plain messages (no x-rpc) ------------------------------------------------------------------
# Who sends what. AsyncAPI 2.x documents describe the server: `publish` = others publish to it (the
# client sends), `subscribe` = others subscribe (the client receives). AsyncAPI 3.0 documents
# describe the application the SDK is: `send` = the client sends, `receive` = it receives.
V2_DIRECTIONS = {"publish": "send", "subscribe": "receive"}
V3_DIRECTIONS = {"send": "send", "receive": "receive"}
# schemaFormat values whose schemas are JSON Schema (or close enough to read as such).
JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
)
# Names the plain-message client classes define themselves (channel parameters avoid them).
PLAIN_RESERVED = {
    "self", "url", "server", "backoff", "watchdog", "ping_interval", "ping_timeout",
    "send_timeout", "max_queue", "queue_policy", "on_event", "connect_options",
}  # fmt: skip
CONTAINER_NAMES = {"close", "connect", "channels", "url"}
TRAIT_KEYS = ("messageId", "name", "contentType", "schemaFormat", "summary", "description")


@dataclass
class _Plain:
    """A message found under an operation: where it lives and what it is called."""

    value: dict[str, Any]
    doc: Document
    pointer: str
    name: str


class _PlainBuilder:
    """Channels, messages and payload models of a document without x-rpc."""

    def __init__(self, base: _Builder) -> None:
        self.base = base
        self.doc, self.resolver, self.types = base.doc, base.resolver, base.types
        self.root = base.root
        self.version = str(self.root.get("asyncapi", ""))
        self.v3 = self.version.startswith("3.")
        self.warnings: list[Problem] = []
        default = self.root.get("defaultContentType")
        self.default_content_type = default if isinstance(default, str) else "application/json"

    def warn(self, doc: Document, pointer: str, message: str) -> None:
        self.warnings.append(
            doc.problem(pointer, message, "asyncapi-model", severity=Severity.WARNING)
        )

    # -- collecting messages -------------------------------------------------------------------
    def _expand(self, node: Any, doc: Document, pointer: str, fallback: str) -> list[_Plain]:
        """The messages a `message` node stands for (2.x `oneOf` lists several)."""
        self.base.where = (doc, pointer)
        loc = self.resolver.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return []
        if isinstance(value.get("oneOf"), list) and "payload" not in value:
            out: list[_Plain] = []
            for i, sub in enumerate(value["oneOf"]):
                out += self._expand(
                    sub, loc.doc, join_pointer(loc.pointer, "oneOf", i), f"{fallback}{i + 1}"
                )
            return out
        value = self._with_traits(value, loc)
        by_ref = isinstance(node, dict) and "$ref" in node
        key = loc.pointer.rsplit("/", 1)[-1] if by_ref and loc.pointer else ""
        name = next(
            (
                str(n)
                for n in (value.get("messageId"), value.get("name"), key)
                if isinstance(n, str) and n
            ),
            fallback,
        )
        return [_Plain(value, loc.doc, loc.pointer, name)]

    def _with_traits(self, value: dict[str, Any], loc: Located) -> dict[str, Any]:
        """The message with what its traits add (the message's own fields win)."""
        traits = value.get("traits")
        if not isinstance(traits, list) or not traits:
            return value
        merged = dict(value)
        for i, trait in enumerate(traits):
            t = self.resolver.deref(trait, loc.doc, join_pointer(loc.pointer, "traits", i))
            if isinstance(t, dict):
                for k in (*TRAIT_KEYS, "examples"):
                    if k in t and k not in merged:
                        merged[k] = t[k]
        return merged

    def all_messages(self) -> list[_Plain]:
        """Every message of the document (components and channels), for checks."""
        out: list[_Plain] = []
        components = self.root.get("components") or {}
        messages = components.get("messages") if isinstance(components, dict) else None
        for name, msg in (messages or {}).items() if isinstance(messages, dict) else ():
            out += self._expand(
                msg, self.doc, join_pointer("/components/messages", name), str(name)
            )
        for key, _, ops in self._channel_ops():
            for direction, node, pointer in ops:
                out += self._expand(node, self.doc, pointer, f"{key}_{direction}")
        return out

    def _channel_ops(self) -> list[tuple[str, dict[str, Any], list[tuple[str, Any, str]]]]:
        """(channel key, channel, [(send|receive, message node, pointer), ...]) per channel."""
        channels = self.root.get("channels") or {}
        if not isinstance(channels, dict):
            return []
        found: dict[str, tuple[dict[str, Any], list[tuple[str, Any, str]]]] = {}
        for key, node in channels.items():
            channel = self.resolver.deref(node, self.doc, join_pointer("/channels", key))
            if isinstance(channel, dict):
                found[str(key)] = (channel, [])
        if not self.v3:
            for key, (channel, ops) in found.items():
                for op_name, direction in V2_DIRECTIONS.items():
                    op = channel.get(op_name)
                    if isinstance(op, dict) and "message" in op:
                        ops.append(
                            (
                                direction,
                                op["message"],
                                join_pointer("/channels", key, op_name, "message"),
                            )
                        )
            return [(k, c, ops) for k, (c, ops) in found.items()]
        operations = self.root.get("operations") or {}
        for op_id, node in operations.items() if isinstance(operations, dict) else ():
            base = join_pointer("/operations", op_id)
            self.base.where = (self.doc, base)
            op = self.resolver.deref(node, self.doc, base)
            if not isinstance(op, dict):
                continue
            action = V3_DIRECTIONS.get(str(op.get("action")))
            ref = op.get("channel")
            if action is None or not isinstance(ref, dict):
                continue
            target = self.resolver.follow(ref, self.doc, join_pointer(base, "channel"))
            key = target.pointer.rsplit("/", 1)[-1]
            if key not in found:
                continue
            channel, ops = found[key]
            listed = op.get("messages")
            if isinstance(listed, list) and listed:
                for i, m in enumerate(listed):
                    ops.append((action, m, join_pointer(base, "messages", i)))
            else:  # no list: every message of the channel
                for name, m in (channel.get("messages") or {}).items():
                    ops.append((action, m, join_pointer("/channels", key, "messages", name)))
            reply = self.resolver.deref(op.get("reply"), self.doc, join_pointer(base, "reply"))
            if isinstance(reply, dict) and isinstance(reply.get("messages"), list):
                back = "receive" if action == "send" else "send"
                for i, m in enumerate(reply["messages"]):
                    ops.append((back, m, join_pointer(base, "reply", "messages", i)))
        return [(k, c, ops) for k, (c, ops) in found.items()]

    # -- the model ---------------------------------------------------------------------------
    def build(self) -> WsApi:
        base = self.base
        self.types.const_defaults = True
        frames = self.root.get("x-frames") or {}
        binary = str(frames.get("binary", "auto")) if isinstance(frames, dict) else "auto"
        if binary not in FRAME_CODECS:
            base.fail(
                self.doc,
                "/x-frames/binary",
                f"unknown binary frame codec {binary!r}; one of {', '.join(FRAME_CODECS)}",
            )
        channels: list[WsChannel] = []
        class_names: set[str] = set()
        attrs: set[str] = set(CONTAINER_NAMES)
        listed = self._channel_ops()
        with_ops = [c for c in listed if c[2]]
        for key, channel, ops in with_ops:
            where = join_pointer("/channels", key)
            base.where = (self.doc, where)
            sends: list[WsMessage] = []
            receives: list[WsMessage] = []
            seen: set[tuple[str, str, str]] = set()
            names: dict[str, set[str]] = {"send": set(), "receive": set()}
            for direction, node, pointer in ops:
                for msg in self._expand(node, self.doc, pointer, f"{key}_{direction}"):
                    ident = (direction, str(msg.doc.path.resolve()), msg.pointer)
                    if ident in seen:
                        continue
                    seen.add(ident)
                    built = self._message(msg, names[direction])
                    (sends if direction == "send" else receives).append(built)
            address = self._address(key, channel)
            server_url, protocol = base.server(self._channel_servers(channel))
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
                    parameters=self._parameters(channel, address, where),
                    sends=tuple(sends),
                    receives=tuple(receives),
                    description=_text(channel.get("description")),
                )
            )
        if not channels:  # nothing to send or receive: still a client, for raw frames
            where = "/operations" if self.v3 else "/channels"
            self.warn(
                self.doc,
                where,
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
        info = self.root.get("info") or {}
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
            model_aliases=model_aliases(self.root, self.doc, self.resolver, self.types),
            error_codes={},
            channels=channels,
            asyncapi_version=self.version,
            warnings=self.warnings,
        )

    def _address(self, key: str, channel: dict[str, Any]) -> str:
        if not self.v3:
            return key
        address = channel.get("address")
        return address if isinstance(address, str) else ""

    def _channel_servers(self, channel: dict[str, Any]) -> set[str] | None:
        listed = channel.get("servers")
        if not isinstance(listed, list) or not listed:
            return None
        out: set[str] = set()
        for item in listed:
            if isinstance(item, str):
                out.add(item)
            elif isinstance(item, dict) and isinstance(item.get("$ref"), str):
                out.add(item["$ref"].rsplit("/", 1)[-1])
        return out or None

    def _parameters(self, channel: dict[str, Any], address: str, where: str) -> tuple[WsParam, ...]:
        """Keyword arguments of the channel's client: one per `{placeholder}` of the address."""
        declared = channel.get("parameters") or {}
        declared = declared if isinstance(declared, dict) else {}
        taken = set(PLAIN_RESERVED)
        out: list[WsParam] = []
        for name in dict.fromkeys(re.findall(r"\{([^{}]+)\}", address)):
            ptr = join_pointer(where, "parameters", name)
            node = self.resolver.deref(declared.get(name), self.doc, ptr)
            node = node if isinstance(node, dict) else {}
            schema = node.get("schema") if not self.v3 else None
            if self.v3:  # 3.0 parameters are strings, optionally an enum with a default
                schema = {
                    "type": "string",
                    **{k: node[k] for k in ("enum", "default") if k in node},
                }
            schema = schema if isinstance(schema, dict) else {"type": "string"}
            resolved = _resolved(schema, self.resolver, self.doc, join_pointer(ptr, "schema"))
            resolved = resolved if isinstance(resolved, dict) else {}
            py_type = self.types.param_type(schema, self.doc, join_pointer(ptr, "schema"))
            if py_type.kind in ("any", "none", "mapping", "sequence", "tuple"):
                py_type = scalar("str")
            has_default = "default" in resolved
            if has_default and not _valid(resolved["default"], resolved):
                self.warn(
                    self.doc, ptr, f"the default of parameter {name!r} does not fit its schema"
                )
                has_default = False
            out.append(
                WsParam(
                    name=name,
                    py_name=unique(snake(name, fallback="param"), taken),
                    py_type=py_type,
                    schema=resolved,
                    description=_text(node.get("description")),
                    required=not has_default,
                    default=resolved.get("default") if has_default else None,
                )
            )
        return tuple(out)

    def _message(self, msg: _Plain, taken: set[str]) -> WsMessage:
        value = msg.value
        self.base.where = (msg.doc, msg.pointer)
        content_type = value.get("contentType")
        content_type = content_type if isinstance(content_type, str) else self.default_content_type
        fmt = value.get("schemaFormat")
        fmt_ptr = join_pointer(msg.pointer, "schemaFormat")
        payload: Any = value.get("payload")
        loc = Located(payload, msg.doc, join_pointer(msg.pointer, "payload"))
        if payload is not None:
            loc = self.resolver.follow(payload, msg.doc, loc.pointer)
            target = loc.value
            if (
                self.v3
                and isinstance(target, dict)
                and "schemaFormat" in target
                and "schema" in target
            ):
                fmt, fmt_ptr = target["schemaFormat"], join_pointer(loc.pointer, "schemaFormat")
                loc = Located(target["schema"], loc.doc, join_pointer(loc.pointer, "schema"))
                payload = target["schema"]
            else:  # keep the $ref so a named schema keeps its name
                loc = Located(payload, msg.doc, join_pointer(msg.pointer, "payload"))
        raw = False
        if fmt is not None and not str(fmt).lower().startswith(JSON_SCHEMA_FORMATS):
            self.warn(
                msg.doc,
                fmt_ptr,
                f"schemaFormat {fmt!r} is not JSON Schema: the payload of message {msg.name!r} "
                "is passed through as raw bytes (not decoded or checked)",
            )
            raw = True
        elif "json" not in content_type.lower():
            raw = True  # e.g. text/plain, application/octet-stream: the frame as it is
        examples = (
            tuple(
                e["payload"]
                for e in value.get("examples") or []
                if isinstance(e, dict) and "payload" in e
            )
            if isinstance(value.get("examples"), list)
            else ()
        )
        py_name = unique(snake(msg.name, fallback="message"), taken)
        if raw:
            return WsMessage(
                name=msg.name,
                py_name=py_name,
                summary=_text(value.get("summary") or value.get("title")),
                description=str(value.get("description", "")).strip(),
                payload=BYTES,
                variants=(WsVariant(BYTES, "any"),),
                raw=True,
                content_type=content_type,
                examples=examples,
            )
        if payload is None:
            variants = [WsVariant(ANY, "any")]
        else:
            variants = self._variants(
                loc.value, loc.doc, loc.pointer, pascal(msg.name, fallback="Message"), None
            )
        py = union([v.py_type for v in variants])
        return WsMessage(
            name=msg.name,
            py_name=py_name,
            summary=_text(value.get("summary") or value.get("title")),
            description=str(value.get("description", "")).strip(),
            payload=py,
            variants=tuple(variants),
            content_type=content_type,
            examples=examples,
            schema=_inlined(loc.value, self.resolver, loc.doc, loc.pointer),
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
