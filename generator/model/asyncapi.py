"""Stage 3 for AsyncAPI 2.x/3.0: build a `WsApi`, with JSON-RPC framing (`x-rpc`) or without.

With `x-rpc`, every message that carries `x-rpc-method` becomes part of the model: requests and
subscribe calls become client methods (their `params` array gives the positional arguments),
replies give the methods' result types, pushes give the typed models that subscriptions yield.

Without it, the document's channels and operations give plain messages (`_PlainBuilder`): one
`WsChannel` per channel with operations, listing what the client sends and what it receives
(AsyncAPI 2.x: `publish` = sent, `subscribe` = received; 3.0: `send` = sent, `receive` =
received, replies the other way), each message with its payload type and the JSON shapes and
constant properties that tell received messages apart.

Schemas that become Python classes are hoisted into `ModelSet("ws_models")` with final PascalCase
names; positional arrays (`items: [...]`, each with a `title`) become array_like structs.
Nothing here knows an exchange: every name comes from the spec.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from generator.load import Document, Located, Resolver
from generator.model.ir import (
    ErrorDef,
    Framing,
    Heartbeat,
    ModelSet,
    SchemaRef,
    WsApi,
    WsAuth,
    WsChannel,
    WsMessage,
    WsMethod,
    WsOrderBook,
    WsParam,
    WsPush,
    WsVariant,
)
from generator.model.openapi import build_errors, build_signature
from generator.naming import pascal, snake, unique
from generator.problems import Problem, Severity, SpecError, join_pointer

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


@dataclass
class _Message:
    key: str  # component name (or pointer for inline messages)
    rpc: dict[str, Any]
    value: dict[str, Any]
    doc: Document
    pointer: str


class _Types:
    """Turns schemas into Python type expressions, hoisting classes into the ModelSet."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.models = ModelSet(module=MODULE, dialect="3.1.0")
        self._names: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()
        # Plain messages: a property with one allowed value defaults to it (not required).
        self.const_defaults = False
        self.fields: dict[str, dict[str, str]] = {}  # model -> {wire name or title: attribute}
        self.field_nodes: dict[
            str, dict[str, Located]
        ] = {}  # model -> {wire name or title: schema}

    # -- helpers ---------------------------------------------------------------------------
    def follow(self, node: Any, doc: Document, pointer: str) -> tuple[Located, str | None]:
        """Resolve $refs and single-branch allOf wrappers; also return the component name."""
        named: str | None = None
        loc = self.resolver.follow(node, doc, pointer)
        if isinstance(node, dict) and "$ref" in node:
            named = loc.pointer.rsplit("/", 1)[-1] or loc.doc.path.stem
        value = loc.value
        while isinstance(value, dict):
            branches = value.get("allOf")
            if not (
                isinstance(branches, list) and "properties" not in value and "type" not in value
            ):
                break
            # One real branch; the others only annotate it (`- description: ...`).
            real = [i for i, b in enumerate(branches) if not _annotation_only(b)]
            if len(real) != 1:
                break
            inner = branches[real[0]]
            loc2 = self.resolver.follow(inner, loc.doc, join_pointer(loc.pointer, "allOf", real[0]))
            if isinstance(inner, dict) and "$ref" in inner:
                named = loc2.pointer.rsplit("/", 1)[-1] or named
            loc, value = loc2, loc2.value
        return loc, named

    @staticmethod
    def non_null(value: dict[str, Any]) -> tuple[list[Any], bool, str]:
        """Branches of anyOf/oneOf without the null ones, whether null was one, and the key."""
        for key in ("anyOf", "oneOf"):
            branches = value.get(key)
            if isinstance(branches, list):
                kept = [
                    b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")
                ]
                return kept, len(kept) != len(branches), key
        return [], False, ""

    # -- models ----------------------------------------------------------------------------
    def visit(
        self, node: Any, doc: Document, pointer: str, hint: str
    ) -> tuple[dict[str, Any], str, bool]:
        """(schema for the model module, Python type without None, whether null is allowed)."""
        loc, named = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return {}, "Any", False
        description = (
            {"description": value["description"]}
            if isinstance(value.get("description"), str)
            else {}
        )
        branches, nullable, key = self.non_null(value)
        if key:
            parts = [
                self.visit(
                    b,
                    loc.doc,
                    join_pointer(loc.pointer, key, i),
                    f"{hint}{i + 1}" if len(branches) > 1 else hint,
                )
                for i, b in enumerate(branches)
            ]
            if not parts:
                return {"type": "null"}, "None", True
            if len(parts) == 1:
                schema, py, inner_null = parts[0]
            else:
                schema = {"anyOf": [p[0] for p in parts]}
                py = " | ".join(dict.fromkeys(p[1] for p in parts))
                inner_null = any(p[2] for p in parts)
            if nullable or inner_null:
                schema = {"anyOf": [schema, {"type": "null"}], **description}
            return schema, py, nullable or inner_null
        if "allOf" in value:
            return self._hoist_object(loc, named or hint, merged=True)
        types = value.get("type")
        nullable = isinstance(types, list) and "null" in types
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            if len(rest) != 1:
                kinds = [self._scalar({**value, "type": t}) for t in rest]
                py = " | ".join(dict.fromkeys(k[1] for k in kinds)) or "None"
                return (
                    {"anyOf": [k[0] for k in kinds] + ([{"type": "null"}] if nullable else [])},
                    py,
                    nullable,
                )
            types = rest[0]
        if types == "object" or (types is None and "properties" in value):
            if value.get("properties"):
                schema, py, _ = self._hoist_object(loc, named or hint)
                return schema, py, nullable
            extra = value.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                inner, py, inner_null = self.visit(
                    extra,
                    loc.doc,
                    join_pointer(loc.pointer, "additionalProperties"),
                    hint + "Value",
                )
                py = f"{py} | None" if inner_null else py
                return (
                    {"type": "object", "additionalProperties": inner, **description},
                    f"dict[str, {py}]",
                    nullable,
                )
            return {"type": "object", **description}, "dict[str, Any]", nullable
        if types == "array" or (types is None and "items" in value):
            items = value.get("items")
            if isinstance(items, list) and items:
                same = self._homogeneous(loc)
                if same is not None:
                    inner, py, inner_null = self.visit(same[0], loc.doc, same[1], hint + "Item")
                    py = f"{py} | None" if inner_null else py
                    return {"type": "array", "items": inner, **description}, f"list[{py}]", nullable
                schema, py, _ = self._hoist_positional(loc, named or hint)
                return schema, py, nullable
            if isinstance(items, dict) and items:
                inner, py, inner_null = self.visit(
                    items, loc.doc, join_pointer(loc.pointer, "items"), hint + "Item"
                )
                py = f"{py} | None" if inner_null else py
                return {"type": "array", "items": inner, **description}, f"list[{py}]", nullable
            return {"type": "array", **description}, "list[Any]", nullable
        schema, py = self._scalar(value)
        return schema, py, nullable or types == "null"

    @staticmethod
    def _scalar(value: dict[str, Any]) -> tuple[dict[str, Any], str]:
        keep: dict[str, Any] = {
            k: value[k]
            for k in ("type", "format", "enum", "const", "description", "default")
            if k in value
        }
        if isinstance(keep.get("type"), list):
            keep["type"] = next(t for t in keep["type"] if t != "null")
        kind, fmt = keep.get("type"), keep.get("format")
        if kind is None and "enum" in value:
            values = [v for v in value["enum"] if v is not None]
            kind = "string" if values and all(isinstance(v, str) for v in values) else None
        if kind == "string":
            return keep, "Decimal" if fmt == "decimal" else "str"
        if kind == "integer":
            return keep, "int"
        if kind == "number":
            return keep, "Decimal" if fmt == "decimal" else "float"
        if kind == "boolean":
            return keep, "bool"
        if kind == "null":
            return keep, "None"
        return {k: v for k, v in keep.items() if k == "description"}, "Any"

    def _homogeneous(self, loc: Located) -> tuple[Any, str] | None:
        """Tuple items that all have the schema of `additionalItems`: really a plain list."""
        value = loc.value
        extra = value.get("additionalItems")
        if not isinstance(extra, dict) or not extra:
            return None
        target, _ = self.follow(extra, loc.doc, join_pointer(loc.pointer, "additionalItems"))
        for i, item in enumerate(value["items"]):
            got, _ = self.follow(item, loc.doc, join_pointer(loc.pointer, "items", i))
            if (got.doc.path, got.pointer) != (target.doc.path, target.pointer):
                return None
        return extra, join_pointer(loc.pointer, "additionalItems")

    def model_of(self, loc: Located) -> str | None:
        """The model name the schema at `loc` was hoisted as, if it was."""
        return self._names.get((str(loc.doc.path.resolve()), loc.pointer))

    def _reserve(self, loc: Located, hint: str) -> tuple[str, bool]:
        key = (str(loc.doc.path.resolve()), loc.pointer)
        if key in self._names:
            return self._names[key], False
        name = unique(pascal(hint), self._taken | _MODULE_NAMES)
        self._taken.add(name)
        self._names[key] = name
        self.models.schemas[name] = {}  # reserved first: schemas may be recursive
        return name, True

    def _hoist_object(
        self, loc: Located, hint: str, merged: bool = False
    ) -> tuple[dict[str, Any], str, bool]:
        name, new = self._reserve(loc, hint)
        if new:
            props: dict[str, Any] = {}
            nodes: dict[str, Located] = {}
            required: list[str] = []
            fixed: set[str] = set()
            for prop, (sub, sub_doc, sub_ptr) in self.properties(loc).items():
                schema, _, _ = self.visit(sub, sub_doc, sub_ptr, name + pascal(prop))
                if self.const_defaults and "$ref" not in schema:
                    value = _constant(self.resolver.deref(sub, sub_doc, sub_ptr))
                    if value is not _NO_CONST and value is not None:
                        schema = {**schema, "default": value}  # the one value: no need to pass it
                        fixed.add(prop)
                props[prop] = schema
                nodes[prop] = Located(sub, sub_doc, sub_ptr)
            for req in self._required(loc):
                if req in props and req not in required and req not in fixed:
                    required.append(req)
            out: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                out["required"] = required
            if isinstance(loc.value.get("description"), str):
                out["description"] = loc.value["description"]
            self.models.schemas[name] = out
            self.fields[name] = {p: p for p in props if _identifier(p)}
            self.field_nodes[name] = nodes
        return {"$ref": COMPONENT_PREFIX + name}, f"{MODULE}.{name}", False

    def properties(self, loc: Located) -> dict[str, tuple[Any, Document, str]]:
        out: dict[str, tuple[Any, Document, str]] = {}
        value = loc.value
        for i, branch in enumerate(value.get("allOf") or []):
            inner, _ = self.follow(branch, loc.doc, join_pointer(loc.pointer, "allOf", i))
            if isinstance(inner.value, dict):
                out.update(self.properties(inner))
        for prop, sub in (value.get("properties") or {}).items():
            out[prop] = (sub, loc.doc, join_pointer(loc.pointer, "properties", prop))
        return out

    def _required(self, loc: Located) -> list[str]:
        value = loc.value
        out = [str(r) for r in value.get("required") or []]
        for i, branch in enumerate(value.get("allOf") or []):
            inner, _ = self.follow(branch, loc.doc, join_pointer(loc.pointer, "allOf", i))
            if isinstance(inner.value, dict):
                out += self._required(inner)
        return out

    def _hoist_positional(self, loc: Located, hint: str) -> tuple[dict[str, Any], str, bool]:
        name, new = self._reserve(loc, hint)
        if new:
            items = loc.value["items"]
            min_items = _count(loc.value.get("minItems"), len(items))
            props: dict[str, Any] = {}
            fields: dict[str, str] = {}
            nodes: dict[str, Located] = {}
            taken: set[str] = set()
            required: list[str] = []
            for i, item in enumerate(items):
                ptr = join_pointer(loc.pointer, "items", i)
                title = item.get("title") if isinstance(item, dict) else None
                if not isinstance(title, str):
                    inner, _ = self.follow(item, loc.doc, ptr)
                    title = inner.value.get("title") if isinstance(inner.value, dict) else None
                title = title if isinstance(title, str) and title else f"item{i}"
                attr = unique(snake(title, fallback="item"), taken)
                schema, _, _ = self.visit(item, loc.doc, ptr, name + pascal(title))
                if isinstance(item, dict) and isinstance(item.get("description"), str):
                    schema = (
                        {**schema, "description": item["description"]}
                        if "$ref" not in schema
                        else schema
                    )
                props[attr] = schema
                fields[title] = attr
                nodes[title] = Located(item, loc.doc, ptr)
                if i < min_items:
                    required.append(attr)
            out: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                out["required"] = required
            if isinstance(loc.value.get("description"), str):
                out["description"] = loc.value["description"]
            self.models.schemas[name] = out
            self.models.positional.add(name)
            self.fields[name] = fields
            self.field_nodes[name] = nodes
        return {"$ref": COMPONENT_PREFIX + name}, f"{MODULE}.{name}", False

    # -- arguments -------------------------------------------------------------------------
    def param_type(self, node: Any, doc: Document, pointer: str) -> str:
        loc, _ = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return "Any"
        branches, nullable, key = self.non_null(value)
        if key:
            parts = [
                self.param_type(b, loc.doc, join_pointer(loc.pointer, key, i))
                for i, b in enumerate(branches)
            ]
            py = " | ".join(dict.fromkeys(parts)) or "None"
            return f"{py} | None" if nullable and py != "None" else py
        if "enum" in value:
            values = [v for v in value["enum"] if v is not None]
            if values and all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
            ):
                return "Literal[" + ", ".join(repr(v) for v in values) + "]"
        types = value.get("type")
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            py = " | ".join(
                dict.fromkeys(
                    self.param_type({**value, "type": t}, loc.doc, loc.pointer) for t in rest
                )
            )
            return f"{py} | None" if "null" in types else py
        fmt = value.get("format")
        if types == "string":
            return "Decimal | str" if fmt == "decimal" else "str"
        if types == "integer":
            return "int"
        if types == "number":
            return "Decimal | float" if fmt == "decimal" else "float"
        if types == "boolean":
            return "bool"
        if types == "array" or "items" in value:
            items = value.get("items")
            if isinstance(items, list) and items and not value.get("additionalItems"):
                inner = [
                    self.param_type(it, loc.doc, join_pointer(loc.pointer, "items", i))
                    for i, it in enumerate(items)
                ]
                return f"tuple[{', '.join(inner)}]"
            if isinstance(items, dict) and items:
                return f"Sequence[{self.param_type(items, loc.doc, join_pointer(loc.pointer, 'items'))}]"
            return "Sequence[Any]"
        if types == "object":
            return "Mapping[str, Any]"
        return "Any"


class _Builder:
    def __init__(self, doc: Document, resolver: Resolver, package: str) -> None:
        self.doc, self.resolver, self.package = doc, resolver, package
        self.root: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        self.types = _Types(resolver)
        self.problems: list[Problem] = []
        self.framing = Framing()
        self.where: tuple[Document, str] = (doc, "")  # what is being read, for unexpected shapes

    def fail(self, doc: Document, pointer: str, message: str) -> None:
        self.problems.append(doc.problem(pointer, message, "asyncapi-model"))

    def check(self) -> None:
        if self.problems:
            raise SpecError(self.problems)

    # -- root ------------------------------------------------------------------------------
    def build(self) -> WsApi:
        root = self.root
        if self.doc.kind != "asyncapi":
            raise SpecError(
                [
                    self.doc.problem(
                        "", "not an AsyncAPI document (no 'asyncapi' key)", "asyncapi-model"
                    )
                ]
            )
        rpc = root.get("x-rpc")
        if rpc is None:
            if any("x-rpc-method" in m.value for m in _PlainBuilder(self).all_messages()):
                raise SpecError(
                    [
                        self.doc.problem(
                            "",
                            "messages carry x-rpc-method but the root has no x-rpc: JSON-RPC framing "
                            "without x-rpc is not supported (add x-rpc, see docs/spec-extensions.md, "
                            "or drop x-rpc-method to generate a plain-message client)",
                            "asyncapi-model",
                        )
                    ]
                )
            return _PlainBuilder(self).build()
        if not isinstance(rpc, dict):
            raise SpecError(
                [
                    self.doc.problem(
                        "/x-rpc",
                        "x-rpc must be an object (see docs/spec-extensions.md)",
                        "asyncapi-model",
                    )
                ]
            )
        framing = self.framing = self._framing(rpc)
        frames = root.get("x-frames") or {}
        binary = str(frames.get("binary", "auto")) if isinstance(frames, dict) else "auto"
        if binary not in FRAME_CODECS:
            self.fail(
                self.doc,
                "/x-frames/binary",
                f"unknown binary frame codec {binary!r}; one of {', '.join(FRAME_CODECS)}",
            )
        error_codes = build_errors(root.get("x-error-codes"), self.doc, "/x-error-codes")
        auth = self._auth(rpc.get("auth"))
        heartbeat = self._heartbeat(rpc.get("heartbeat"))
        timeout = self._number(rpc, "request-timeout", 10.0, "/x-rpc/request-timeout")
        messages = self._messages()
        self.check()
        pushes = self._pushes(messages)
        methods, books = self._methods(messages, pushes, error_codes, auth)
        self.check()
        info = root.get("info") or {}
        return WsApi(
            title=str(info.get("title", self.package)),
            version=str(info.get("version", "0")),
            description=str(info.get("description", "")).strip(),
            url=self._url(),
            spec_file=self.doc.path.name,
            spec_sha256=self.doc.sha256,
            framing=framing,
            binary_frames=binary,
            auth=auth,
            heartbeat=heartbeat,
            request_timeout=timeout,
            methods=methods,
            pushes=list(pushes.values()),
            models=self.types.models,
            error_codes=error_codes,
            order_books=books,
        )

    def _number(self, raw: dict[str, Any], key: str, default: float, pointer: str) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(self.doc, pointer, f"{key} must be a positive number of seconds")
            return default
        return float(value)

    def _framing(self, rpc: dict[str, Any]) -> Framing:
        def part(section: str, key: str) -> str:
            raw = rpc.get(section) or {}
            value = raw.get(key, key) if isinstance(raw, dict) else key
            if not isinstance(value, str) or not value:
                self.fail(
                    self.doc, join_pointer("/x-rpc", section, key), "must name a frame property"
                )
                return key
            return value

        framing = Framing(
            request_method=part("request", "method"),
            request_params=part("request", "params"),
            request_id=part("request", "id"),
            reply_result=part("reply", "result"),
            reply_error=part("reply", "error"),
            reply_id=part("reply", "id"),
            push_method=part("push", "method"),
            push_params=part("push", "params"),
            error_code=part("error", "code"),
            error_message=part("error", "message"),
        )
        incoming = [
            framing.reply_result,
            framing.reply_error,
            framing.reply_id,
            framing.push_method,
            framing.push_params,
        ]
        if len(set(incoming)) != len(incoming):
            self.fail(
                self.doc,
                "/x-rpc",
                "reply and push frames must use distinct property names for result, error, "
                "id, method and params (the client tells them apart by name)",
            )
        return framing

    def _auth(self, raw: Any) -> WsAuth | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("method"), str):
            self.fail(
                self.doc, "/x-rpc/auth", "auth needs 'method' (the RPC method that authenticates)"
            )
            return None
        params = raw.get("params", ["{api_key}", "{signature}"])
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            self.fail(
                self.doc,
                "/x-rpc/auth/params",
                "must be a list of strings with {api_key} / {signature}",
            )
            params = []
        if "signature" not in raw:
            self.fail(self.doc, "/x-rpc/auth", "auth needs a 'signature' object")
            return None
        signature = build_signature(raw["signature"], self.doc, "/x-rpc/auth/signature")
        return WsAuth(method=raw["method"], params=tuple(params), signature=signature)

    def _heartbeat(self, raw: Any) -> Heartbeat | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("method"), str):
            self.fail(
                self.doc,
                "/x-rpc/heartbeat",
                "heartbeat needs 'method' (the RPC method sent as a ping)",
            )
            return None
        return Heartbeat(
            method=raw["method"],
            interval=self._number(raw, "interval", 15.0, "/x-rpc/heartbeat/interval"),
            timeout=self._number(raw, "timeout", 10.0, "/x-rpc/heartbeat/timeout"),
        )

    def server(self, allowed: set[str] | None = None) -> tuple[str, str]:
        """(URL, protocol) of the server to connect to: a ws/wss one first, variables resolved
        with their defaults. `allowed` limits the choice to these server names (if any match)."""
        servers = self.root.get("servers") or {}
        if not isinstance(servers, dict) or not servers:
            return "", "ws"
        named = [
            (name, self.resolver.deref(s, self.doc, join_pointer("/servers", name)))
            for name, s in servers.items()
        ]
        named = [(n, s) for n, s in named if isinstance(s, dict)] or [("", {})]
        if allowed:
            named = [(n, s) for n, s in named if n in allowed] or named
        server = next(
            (s for _, s in named if str(s.get("protocol", "")).startswith("ws")), named[0][1]
        )
        protocol = str(server.get("protocol", "wss"))
        if "url" in server:  # AsyncAPI 2.x
            url = str(server["url"])
        else:  # AsyncAPI 3.0
            url = str(server.get("host", "")) + str(server.get("pathname", "") or "")
        variables = server.get("variables") or {}
        for name, var in variables.items() if isinstance(variables, dict) else ():
            var = self.resolver.deref(var, self.doc, "/servers")
            default = var.get("default", "") if isinstance(var, dict) else ""
            url = url.replace("{" + str(name) + "}", str(default))
        if url and "://" not in url:
            url = f"{protocol}://{url}"
        return url, protocol

    def _url(self) -> str:
        url, _ = self.server()
        if not url:
            return ""
        channels = self.root.get("channels") or {}
        if isinstance(channels, dict) and len(channels) == 1:
            key, channel = next(iter(channels.items()))
            address = (
                channel.get("address", key)
                if isinstance(channel, dict) and "address" in channel
                else key
            )
            if isinstance(address, str) and address.startswith("/") and "{" not in address:
                url = url.rstrip("/") + address
        return url

    # -- messages --------------------------------------------------------------------------
    def _messages(self) -> list[_Message]:
        """Every message with x-rpc-method: components first, then inline ones in channels."""
        out: dict[tuple[str, str], _Message] = {}
        seen: set[tuple[str, str]] = set()

        def add(node: Any, doc: Document, pointer: str, key: str) -> None:
            loc = self.resolver.follow(node, doc, pointer)
            value = loc.value
            if not isinstance(value, dict):
                return
            if "oneOf" in value and "payload" not in value:
                for i, sub in enumerate(value["oneOf"]):
                    add(sub, loc.doc, join_pointer(loc.pointer, "oneOf", i), key)
                return
            ident = (str(loc.doc.path.resolve()), loc.pointer)
            if ident in seen:
                return
            seen.add(ident)
            rpc = value.get("x-rpc-method")
            if rpc is None:
                self.fail(
                    loc.doc,
                    loc.pointer,
                    "message has no x-rpc-method: every message of an x-rpc API needs one "
                    "(name and kind)",
                )
                return
            if (
                not isinstance(rpc, dict)
                or not isinstance(rpc.get("name"), str)
                or rpc.get("kind") not in METHOD_KINDS
            ):
                self.fail(
                    loc.doc,
                    join_pointer(loc.pointer, "x-rpc-method"),
                    f"x-rpc-method needs 'name' and 'kind' (one of {', '.join(METHOD_KINDS)})",
                )
                return
            name = (
                loc.pointer.rsplit("/", 1)[-1]
                if loc.pointer.startswith("/components/messages/")
                else key
            )
            out[ident] = _Message(name, rpc, value, loc.doc, loc.pointer)

        components = (self.root.get("components") or {}).get("messages") or {}
        for name, msg in components.items():
            add(msg, self.doc, join_pointer("/components/messages", name), name)
        for cname, channel in (self.root.get("channels") or {}).items():
            if not isinstance(channel, dict):
                continue
            base = join_pointer("/channels", cname)
            for op in ("publish", "subscribe"):
                if isinstance(channel.get(op), dict) and "message" in channel[op]:
                    add(
                        channel[op]["message"],
                        self.doc,
                        join_pointer(base, op, "message"),
                        f"{cname}-{op}",
                    )
            for mname, msg in (channel.get("messages") or {}).items():  # AsyncAPI 3.0
                add(msg, self.doc, join_pointer(base, "messages", mname), mname)
        return list(out.values())

    def _payload_property(self, msg: _Message, prop: str) -> tuple[Any, Document, str] | None:
        payload = msg.value.get("payload")
        if payload is None:
            return None
        loc, _ = self.types.follow(payload, msg.doc, join_pointer(msg.pointer, "payload"))
        if not isinstance(loc.value, dict):
            return None
        return self.types.properties(loc).get(prop)

    def _pushes(self, messages: list[_Message]) -> dict[str, WsPush]:
        framing = self.framing
        out: dict[str, WsPush] = {}
        for msg in messages:
            self.where = (msg.doc, msg.pointer)
            if msg.rpc["kind"] != "push":
                continue
            name = msg.rpc["name"]
            params = self._payload_property(msg, framing.push_params)
            if params is None:
                self.fail(
                    msg.doc,
                    join_pointer(msg.pointer, "payload"),
                    f"push payload has no {framing.push_params!r} property",
                )
                continue
            _, py, nullable = self.types.visit(*params, pascal(name))
            out[name] = WsPush(name, SchemaRef(f"{py} | None" if nullable else py, py, nullable))
        return out

    def _params(self, msg: _Message) -> tuple[list[WsParam], WsParam | None]:
        framing = self.framing
        found = self._payload_property(msg, framing.request_params)
        if found is None:
            return [], None
        loc, _ = self.types.follow(*found)
        value = loc.value
        if not isinstance(value, dict) or value.get("maxItems") == 0:
            return [], None
        taken = set(PARAM_RESERVED)
        fixed: list[WsParam] = []
        items = value.get("items")
        extra: Any = value.get("additionalItems")
        extra_ptr = join_pointer(loc.pointer, "additionalItems")
        if "prefixItems" in value:  # JSON Schema 2020-12 spelling
            items, extra, extra_ptr = (
                value["prefixItems"],
                value.get("items"),
                join_pointer(loc.pointer, "items"),
            )
        elif isinstance(items, dict):
            items, extra, extra_ptr = [], items, join_pointer(loc.pointer, "items")
        items = items if isinstance(items, list) else []
        min_items = _count(value.get("minItems"), len(items))
        for i, item in enumerate(items):
            fixed.append(
                self._param(
                    item,
                    loc.doc,
                    join_pointer(loc.pointer, "items", i),
                    f"arg{i + 1}",
                    taken,
                    required=i < min_items,
                )
            )
            if not fixed[-1].required and i + 1 < len(items):
                self.fail(
                    loc.doc,
                    join_pointer(loc.pointer, "items", i),
                    "only trailing positions may be optional",
                )
        variadic = None
        if isinstance(extra, dict) and extra:
            variadic = self._param(
                extra, loc.doc, extra_ptr, "args", taken, required=False, variadic=True
            )
        return fixed, variadic

    def _param(
        self,
        node: Any,
        doc: Document,
        pointer: str,
        fallback: str,
        taken: set[str],
        *,
        required: bool,
        variadic: bool = False,
    ) -> WsParam:
        loc, _ = self.types.follow(node, doc, pointer)
        title = node.get("title") if isinstance(node, dict) else None
        if not isinstance(title, str) and isinstance(loc.value, dict):
            title = loc.value.get("title")
        title = title if isinstance(title, str) and title else fallback
        base = snake(title, fallback="arg")
        py_name = base + "s" if variadic and base in taken else base
        py_name = unique(py_name, taken)
        description = ""
        for source in (node, loc.value):
            if isinstance(source, dict) and isinstance(source.get("description"), str):
                description = " ".join(source["description"].split())
                break
        py_type = self.types.param_type(node, doc, pointer)
        schema = _resolved(loc.value, self.resolver, loc.doc, loc.pointer)
        return WsParam(
            name=title,
            py_name=py_name,
            py_type=py_type,
            schema=schema,
            description=description,
            required=required,
        )

    def _reply_result(
        self, msg: _Message, by_key: dict[str, _Message], replies: dict[str, _Message]
    ) -> SchemaRef:
        framing = self.framing
        reply_key = msg.rpc.get("reply")
        reply = (
            by_key.get(reply_key) if isinstance(reply_key, str) else replies.get(msg.rpc["name"])
        )
        if isinstance(reply_key, str) and reply is None:
            self.fail(
                msg.doc,
                join_pointer(msg.pointer, "x-rpc-method", "reply"),
                f"no message {reply_key!r} in components/messages",
            )
        if reply is None:
            return SchemaRef("Any", "Any", True)
        found = self._payload_property(reply, framing.reply_result)
        if found is None:
            return SchemaRef("Any", "Any", True)
        _, py, _ = self.types.visit(*found, pascal(msg.rpc["name"]) + "Result")
        # null comes with an error (which raises), so the result type drops it.
        return SchemaRef(py, py, False) if py != "None" else SchemaRef("None", "None", True)

    def _methods(
        self,
        messages: list[_Message],
        pushes: dict[str, WsPush],
        error_codes: dict[int, ErrorDef],
        auth: WsAuth | None,
    ) -> tuple[list[WsMethod], list[WsOrderBook]]:
        by_key = {m.key: m for m in messages}
        replies = {m.rpc["name"]: m for m in messages if m.rpc["kind"] == "reply"}
        methods: list[WsMethod] = []
        books: list[WsOrderBook] = []
        py_names: set[str] = set(CLIENT_NAMES)
        seen: dict[str, _Message] = {}
        for msg in messages:
            self.where = (msg.doc, msg.pointer)
            kind, name = msg.rpc["kind"], msg.rpc["name"]
            if kind not in ("request", "subscribe", "unsubscribe"):
                continue
            where = join_pointer(msg.pointer, "x-rpc-method")
            if name in seen:
                self.fail(
                    msg.doc,
                    where,
                    f"method {name!r} is described twice (also at {seen[name].pointer})",
                )
                continue
            seen[name] = msg
            params, variadic = self._params(msg)
            push_name = msg.rpc.get("push")
            unsubscribe = msg.rpc.get("unsubscribe")
            if kind == "subscribe":
                if not isinstance(push_name, str) or push_name not in pushes:
                    self.fail(
                        msg.doc,
                        join_pointer(where, "push"),
                        f"a subscribe method needs 'push' naming a push message ({push_name!r} is not one)",
                    )
                    continue
                if unsubscribe is not None and not isinstance(unsubscribe, str):
                    self.fail(
                        msg.doc, join_pointer(where, "unsubscribe"), "must be a wire method name"
                    )
                    unsubscribe = None
                result = pushes[push_name].py_type
            else:
                result = self._reply_result(msg, by_key, replies)
            errors = {
                **error_codes,
                **build_errors(msg.rpc.get("errors"), msg.doc, join_pointer(where, "errors")),
            }
            route, route_params = (
                self._route(params, variadic, result) if kind == "subscribe" else (None, ())
            )
            every = [p.py_type for p in params] + ([variadic.py_type] if variadic else [])
            method = WsMethod(
                name=name,
                py_name=unique(snake(name, fallback="method"), py_names),
                kind=kind,
                summary=_text(msg.value.get("summary") or msg.value.get("title")),
                description=str(msg.value.get("description", "")).strip(),
                params=tuple(params),
                result=result,
                private=bool(msg.rpc.get("private", False)),
                push=push_name if kind == "subscribe" else None,
                unsubscribe=unsubscribe if kind == "subscribe" else None,
                aliases=tuple(str(a) for a in msg.rpc.get("aliases") or ()),
                errors=errors,
                variadic=variadic,
                mergeable=kind == "subscribe" and variadic is not None and len(set(every)) == 1,
                route=route,
                route_params=route_params,
                internal=kind == "unsubscribe" or (auth is not None and name == auth.method),
            )
            methods.append(method)
            if kind == "subscribe" and "x-order-book" in msg.value:
                book = self._order_book(msg, method, books, py_names)
                if book is not None:
                    books.append(book)
        names = {m.name for m in methods}
        for m in methods:
            if m.kind == "subscribe" and m.unsubscribe and m.unsubscribe not in names:
                msg = seen[m.name]
                self.fail(
                    msg.doc,
                    join_pointer(msg.pointer, "x-rpc-method", "unsubscribe"),
                    f"{m.unsubscribe!r} is not an unsubscribe method of this spec",
                )
        return methods, books

    def _route(
        self, params: list[WsParam], variadic: WsParam | None, result: SchemaRef
    ) -> tuple[str | None, tuple[str, ...]]:
        """The push field that tells which subscribed value a push belongs to, if any.

        A push is routed by a top-level push field named like a parameter (same title) with the
        same type; the variadic parameter counts too when it has the type of that parameter.
        """
        model = result.decode_type.removeprefix(f"{MODULE}.")
        fields = self.types.fields.get(model)
        nodes = self.types.field_nodes.get(model, {})
        if not fields or result.decode_type == model:
            return None, ()
        for p in params:
            if p.name in fields and p.name in nodes:
                node = nodes[p.name]
                if self.types.param_type(node.value, node.doc, node.pointer) != p.py_type:
                    continue
                keys = [p.py_name]
                if variadic is not None and variadic.py_type == p.py_type:
                    keys.append(variadic.py_name)
                return fields[p.name], tuple(keys)
        return None, ()

    def _order_book(
        self, msg: _Message, method: WsMethod, books: list[WsOrderBook], py_names: set[str]
    ) -> WsOrderBook | None:
        where = join_pointer(msg.pointer, "x-order-book")
        raw = msg.value["x-order-book"]
        if not isinstance(raw, dict):
            self.fail(
                msg.doc, where, "x-order-book must be an object (see docs/spec-extensions.md)"
            )
            return None
        if raw.get("push", method.push) != method.push:
            self.fail(msg.doc, join_pointer(where, "push"), f"the method's push is {method.push!r}")
            return None
        model = method.result.decode_type.removeprefix(f"{MODULE}.")
        if model == method.result.decode_type:
            self.fail(
                msg.doc, where, "the push of an order book method must be a model with named fields"
            )
            return None

        def path(key: str, required: bool = True) -> tuple[tuple[str, ...], Located | None]:
            text = raw.get(key)
            if text is None and not required:
                return (), None
            if not isinstance(text, str) or not text:
                self.fail(
                    msg.doc,
                    join_pointer(where, key),
                    "must name a push field (dotted for nested fields)",
                )
                return (), None
            current: str | None = model
            attrs: list[str] = []
            node: Located | None = None
            for part in text.split("."):
                fields = self.types.fields.get(current or "", {})
                if part not in fields:
                    self.fail(
                        msg.doc,
                        join_pointer(where, key),
                        f"{text!r}: {part!r} is not a field of the push model {current or '(not a model)'}"
                        f" (fields: {', '.join(fields) or 'none'})",
                    )
                    return (), None
                attrs.append(fields[part])
                node = self.types.field_nodes[current or ""][part]
                loc, _ = self.types.follow(node.value, node.doc, node.pointer)
                current = self.types.model_of(loc)
            return tuple(attrs), node

        clean, _ = path("clean")
        asks, asks_node = path("asks")
        bids, _ = path("bids")
        market, _ = path("market", required=False)
        if not (clean and asks and bids) or asks_node is None:
            return None
        price = self._level_accessor(raw, "price", 0, asks_node, msg, where)
        amount = self._level_accessor(raw, "amount", 1, asks_node, msg, where)
        if price is None or amount is None:
            return None
        name = raw.get(
            "name",
            "order_book"
            if not books
            else f"{method.py_name.removesuffix('_subscribe')}_order_book",
        )
        py_name = snake(str(name))
        if py_name in {b.py_name for b in books} or (
            py_name in py_names and py_name != "order_book"
        ):
            self.fail(msg.doc, join_pointer(where, "name"), f"{py_name!r} is already a method name")
            return None
        py_names.add(py_name)
        return WsOrderBook(
            method=method.name,
            py_name=py_name,
            push=str(method.push),
            model=method.result.py_type,
            clean=clean,
            asks=asks,
            bids=bids,
            market=market,
            price=price,
            amount=amount,
        )

    def _level_accessor(
        self, raw: dict[str, Any], key: str, default: int, side: Located, msg: _Message, where: str
    ) -> str | None:
        """Python suffix reading a level's price/amount: '.price' on a struct, '[0]' on a list."""
        loc, _ = self.types.follow(side.value, side.doc, side.pointer)
        items = loc.value.get("items") if isinstance(loc.value, dict) else None
        if not isinstance(items, dict):
            self.fail(msg.doc, join_pointer(where, "asks"), "must name an array of levels")
            return None
        level, _ = self.types.follow(items, loc.doc, join_pointer(loc.pointer, "items"))
        model = self.types.model_of(level)
        wanted = raw.get(key, default)
        if model is None:  # a plain array such as [price, amount]
            if isinstance(wanted, int) and not isinstance(wanted, bool):
                return f"[{wanted}]"
            self.fail(
                msg.doc,
                join_pointer(where, key),
                "a level that is a plain array is read by position (an integer)",
            )
            return None
        fields = self.types.fields[model]
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            if model not in self.types.models.positional or wanted >= len(fields):
                self.fail(
                    msg.doc,
                    join_pointer(where, key),
                    f"level model {model} has no position {wanted}",
                )
                return None
            return "." + list(fields.values())[wanted]
        if wanted not in fields:
            self.fail(
                msg.doc,
                join_pointer(where, key),
                f"{wanted!r} is not a field of the level model {model}",
            )
            return None
        return "." + fields[str(wanted)]


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


def build_ws_api(doc: Document, resolver: Resolver, package: str) -> WsApi:
    """The WebSocket part of the intermediate model. Raises SpecError (located) on bad input."""
    builder = _Builder(doc, resolver, package)
    try:
        return builder.build()
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A shape the validator let through but the model cannot read: still a located problem.
        where, pointer = builder.where
        reason = (
            "a schema that only refers to itself"
            if isinstance(exc, RecursionError)
            else f"{type(exc).__name__}: {exc}"
        )
        problem = where.problem(
            pointer, f"cannot read this part of the spec ({reason})", "asyncapi-model"
        )
        raise SpecError([*builder.problems, problem]) from None


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
            if (
                not py_type
                or py_type in ("Any", "None", "Mapping[str, Any]")
                or py_type.startswith(("Sequence", "tuple"))
            ):
                py_type = "str"
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
                payload=SchemaRef("bytes", "bytes"),
                variants=(WsVariant("bytes", "any"),),
                raw=True,
                content_type=content_type,
                examples=examples,
            )
        if payload is None:
            variants = [WsVariant("Any", "any")]
        else:
            variants = self._variants(
                loc.value, loc.doc, loc.pointer, pascal(msg.name, fallback="Message"), None
            )
        py = " | ".join(dict.fromkeys(v.py_type for v in variants))
        return WsMessage(
            name=msg.name,
            py_name=py_name,
            summary=_text(value.get("summary") or value.get("title")),
            description=str(value.get("description", "")).strip(),
            payload=SchemaRef(py, py, any(v.shape == "null" for v in variants)),
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
            return [WsVariant("Any", "any")]
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
                out.append(WsVariant("None", "null"))
            return out or [WsVariant("None", "null")]
        _, py, nullable = self.types.visit(node, doc, pointer, hint)
        shape = _shape(value)
        if py == "None":
            shape = "null"
        variant = WsVariant(_decodable(py), shape)
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
                tuple(dict.fromkeys(r for r in self.types._required(loc) if r in props)),
                tuple(props),
            )
        out = [variant]
        if nullable and shape != "null":
            out.append(WsVariant("None", "null"))
        return out


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
