"""JSON-RPC framing (`x-rpc`): requests, subscriptions, replies and pushes of a document."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.document import AsyncAPIModel, Extension, Location, Message, model_of
from generator.load import Document, Resolver
from generator.model.asyncapi.channels import _PlainBuilder
from generator.model.asyncapi.common import (
    CLIENT_NAMES,
    FRAME_CODECS,
    METHOD_KINDS,
    PARAM_RESERVED,
    Collector,
    _Message,
    _resolved,
    _text,
    model_aliases,
    typed,
)
from generator.model.asyncapi.orderbook import OrderBooks
from generator.model.ir import (
    ErrorDef,
    Framing,
    Heartbeat,
    WsApi,
    WsAuth,
    WsMethod,
    WsOrderBook,
    WsParam,
    WsPush,
)
from generator.model.openapi import build_errors, build_signature
from generator.model.pytype import ANY, NONE, PyType
from generator.model.types import TypeMapper, _count
from generator.naming import pascal, snake, unique
from generator.problems import SpecError, join_pointer, split_pointer


class _Builder(Collector, OrderBooks):
    model: AsyncAPIModel

    def __init__(
        self, doc: Document, resolver: Resolver, package: str, types: TypeMapper | None = None
    ) -> None:
        super().__init__()
        self.doc, self.resolver, self.package = doc, resolver, package
        self.types = types if types is not None else TypeMapper(resolver, dialect="3.1.0")
        self.framing = Framing()
        self.where = Location.at(doc, "")

    # -- root ------------------------------------------------------------------------------
    def build(self) -> WsApi:
        found = model_of(self.doc, self.resolver) if self.doc.kind == "asyncapi" else None
        if not isinstance(found, AsyncAPIModel):
            self.fail(Location.at(self.doc, ""), "not an AsyncAPI document (no 'asyncapi' key)")
            self.check()
        assert isinstance(found, AsyncAPIModel)
        model = self.model = found
        rpc_ext = model.extensions.get("x-rpc")
        if rpc_ext is None:
            tagged = [m for m in model.messages if "x-rpc-method" in m.extensions]
            if tagged:
                self.fail(
                    model.location,
                    "messages carry x-rpc-method but the root has no x-rpc: JSON-RPC framing "
                    "without x-rpc is not supported (add x-rpc, see docs/spec-extensions.md, "
                    "or drop x-rpc-method to generate a plain-message client)",
                )
                self.check()
            return _PlainBuilder(self).build()
        rpc, at = rpc_ext.value, rpc_ext.location
        if not isinstance(rpc, dict):
            self.fail(at, "x-rpc must be an object (see docs/spec-extensions.md)")
            self.check()
        framing = self.framing = self._framing(rpc, at)
        binary = self.binary_frames()
        error_codes = self._errors(model.extensions.get("x-error-codes"))
        auth = self._auth(rpc.get("auth"), at.child("auth"))
        heartbeat = self._heartbeat(rpc.get("heartbeat"), at.child("heartbeat"))
        timeout = self._number(rpc, "request-timeout", 10.0, at.child("request-timeout"))
        messages = self._messages()
        self.check()
        pushes = self._pushes(messages)
        methods, books = self._methods(messages, pushes, error_codes, auth)
        self.check()
        info = model.info
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
            model_names=tuple(self.types.reached),
            model_aliases=model_aliases(model, self.types),
            error_codes=error_codes,
            order_books=books,
        )

    def binary_frames(self) -> str:
        """`x-frames.binary`: how binary frames are decompressed."""
        ext = self.model.extensions.get("x-frames")
        frames = ext.value if ext is not None and isinstance(ext.value, dict) else {}
        binary = str(frames.get("binary", "auto"))
        if ext is not None and binary not in FRAME_CODECS:
            self.fail(
                ext.location.child("binary"),
                f"unknown binary frame codec {binary!r}; one of {', '.join(FRAME_CODECS)}",
            )
        return binary

    def _errors(self, ext: Extension | None) -> dict[int, ErrorDef]:
        if ext is None:
            return {}
        return self.error_table(ext.value, ext.location)

    def error_table(self, raw: Any, where: Location) -> dict[int, ErrorDef]:
        try:
            return build_errors(raw, where.doc, where.pointer)
        except SpecError as exc:
            self.absorb(exc)
            return {}

    def _number(self, raw: dict[str, Any], key: str, default: float, where: Location) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(where, f"{key} must be a positive number of seconds")
            return default
        return float(value)

    def _framing(self, rpc: dict[str, Any], at: Location) -> Framing:
        def part(section: str, key: str) -> str:
            raw = rpc.get(section) or {}
            value = raw.get(key, key) if isinstance(raw, dict) else key
            if not isinstance(value, str) or not value:
                self.fail(at.child(section, key), "must name a frame property")
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
                at,
                "reply and push frames must use distinct property names for result, error, "
                "id, method and params (the client tells them apart by name)",
            )
        return framing

    def _auth(self, raw: Any, at: Location) -> WsAuth | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("method"), str):
            self.fail(at, "auth needs 'method' (the RPC method that authenticates)")
            return None
        params = raw.get("params", ["{api_key}", "{signature}"])
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            self.fail(at.child("params"), "must be a list of strings with {api_key} / {signature}")
            params = []
        if "signature" not in raw:
            self.fail(at, "auth needs a 'signature' object")
            return None
        try:
            signature = build_signature(raw["signature"], at.doc, at.child("signature").pointer)
        except SpecError as exc:
            self.absorb(exc)
            return None
        return WsAuth(method=raw["method"], params=tuple(params), signature=signature)

    def _heartbeat(self, raw: Any, at: Location) -> Heartbeat | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("method"), str):
            self.fail(at, "heartbeat needs 'method' (the RPC method sent as a ping)")
            return None
        return Heartbeat(
            method=raw["method"],
            interval=self._number(raw, "interval", 15.0, at.child("interval")),
            timeout=self._number(raw, "timeout", 10.0, at.child("timeout")),
        )

    def server(self, allowed: list[str] | None = None) -> tuple[str, str]:
        """(URL, protocol) of the server to connect to: a ws/wss one first, variables resolved
        with their defaults. `allowed` limits the choice to these server names (if any match)."""
        servers = self.model.servers
        if not servers:
            return "", "ws"
        if allowed:
            servers = [s for s in servers if s.name in allowed] or servers
        server = next((s for s in servers if s.protocol.startswith("ws")), servers[0])
        protocol = server.protocol or "wss"
        url = server.url
        for name, var in server.variables.items():
            default = var.get("default", "") if isinstance(var, dict) else ""
            url = url.replace("{" + str(name) + "}", str(default))
        if url and "://" not in url:
            url = f"{protocol}://{url}"
        return url, protocol

    def _url(self) -> str:
        url, _ = self.server()
        if not url:
            return ""
        channels = self.model.channels
        if len(channels) == 1:
            address = channels[0].address
            if isinstance(address, str) and address.startswith("/") and "{" not in address:
                url = url.rstrip("/") + address
        return url

    # -- messages --------------------------------------------------------------------------
    def _messages(self) -> list[_Message]:
        """Every message with x-rpc-method: components first, then inline ones in channels."""
        out: list[_Message] = []
        for node in self.model.messages:
            ext = node.extensions.get("x-rpc-method")
            if ext is None:
                self.fail(
                    node.location,
                    "message has no x-rpc-method: every message of an x-rpc API needs one "
                    "(name and kind)",
                )
                continue
            rpc = ext.value
            if (
                not isinstance(rpc, dict)
                or not isinstance(rpc.get("name"), str)
                or rpc.get("kind") not in METHOD_KINDS
            ):
                self.fail(
                    ext.location,
                    f"x-rpc-method needs 'name' and 'kind' (one of {', '.join(METHOD_KINDS)})",
                )
                continue
            out.append(_Message(_message_key(node), rpc, node, ext.location))
        return out

    def _payload_property(self, msg: _Message, prop: str) -> tuple[Any, Document, str] | None:
        payload = msg.node.payload
        if payload is None:
            return None
        loc, _ = self.types.follow(*typed(payload))
        if not isinstance(loc.value, dict):
            return None
        return self.types.properties(loc).get(prop)

    def _pushes(self, messages: list[_Message]) -> dict[str, WsPush]:
        framing = self.framing
        out: dict[str, WsPush] = {}
        for msg in messages:
            self.where = msg.node.location
            if msg.rpc["kind"] != "push":
                continue
            name = msg.rpc["name"]
            params = self._payload_property(msg, framing.push_params)
            if params is None:
                self.fail(
                    msg.node.location.child("payload"),
                    f"push payload has no {framing.push_params!r} property",
                )
                continue
            _, py, nullable = self.types.visit(*params, pascal(name))
            out[name] = WsPush(name, py.or_none() if nullable else py)
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
                    Location.at(loc.doc, join_pointer(loc.pointer, "items", i)),
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
    ) -> PyType:
        framing = self.framing
        reply_key = msg.rpc.get("reply")
        reply = (
            by_key.get(reply_key) if isinstance(reply_key, str) else replies.get(msg.rpc["name"])
        )
        if isinstance(reply_key, str) and reply is None:
            self.fail(msg.where.child("reply"), f"no message {reply_key!r} in components/messages")
        if reply is None:
            return replace(ANY, nullable=True)
        found = self._payload_property(reply, framing.reply_result)
        if found is None:
            return replace(ANY, nullable=True)
        _, py, _ = self.types.visit(*found, pascal(msg.rpc["name"]) + "Result")
        # null comes with an error (which raises), so the result type drops it.
        return NONE if py.is_none else py

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
            self.where = msg.node.location
            kind, name = msg.rpc["kind"], msg.rpc["name"]
            if kind not in ("request", "subscribe", "unsubscribe"):
                continue
            where = msg.where
            if name in seen:
                self.fail(
                    where,
                    f"method {name!r} is described twice (also at "
                    f"{seen[name].node.location.pointer})",
                )
                continue
            seen[name] = msg
            params, variadic = self._params(msg)
            push_name = msg.rpc.get("push")
            unsubscribe = msg.rpc.get("unsubscribe")
            if kind == "subscribe":
                if not isinstance(push_name, str) or push_name not in pushes:
                    self.fail(
                        where.child("push"),
                        f"a subscribe method needs 'push' naming a push message ({push_name!r} is not one)",
                    )
                    continue
                if unsubscribe is not None and not isinstance(unsubscribe, str):
                    self.fail(where.child("unsubscribe"), "must be a wire method name")
                    unsubscribe = None
                result = pushes[push_name].py_type
            else:
                result = self._reply_result(msg, by_key, replies)
            errors = {
                **error_codes,
                **self.error_table(msg.rpc.get("errors"), where.child("errors")),
            }
            route, route_params = (
                self._route(params, variadic, result) if kind == "subscribe" else (None, ())
            )
            every = [p.py_type for p in params] + ([variadic.py_type] if variadic else [])
            method = WsMethod(
                name=name,
                py_name=unique(snake(name, fallback="method"), py_names),
                kind=kind,
                summary=_text(msg.node.summary or msg.node.title),
                description=msg.node.description.strip(),
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
                unique=self._unique(msg, msg.where.child("unique"), result)
                if kind == "subscribe" and "unique" in msg.rpc
                else None,
            )
            methods.append(method)
            if kind == "subscribe" and "x-order-book" in msg.node.extensions:
                book = self._order_book(msg, method, books, py_names)
                if book is not None:
                    books.append(book)
        names = {m.name for m in methods}
        for m in methods:
            if m.kind == "subscribe" and m.unsubscribe and m.unsubscribe not in names:
                self.fail(
                    seen[m.name].where.child("unsubscribe"),
                    f"{m.unsubscribe!r} is not an unsubscribe method of this spec",
                )
        return methods, books

    def _unique(
        self, msg: _Message, where: Location, result: PyType
    ) -> tuple[tuple[str, ...], str] | None:
        """`unique: <list field>.<id field>` (dotted): the attribute path of a list in the push
        model and the attribute of its items that identifies them."""
        text = msg.rpc.get("unique")
        *path, last = str(text).split(".")
        if not path:
            self.fail(where, f"{text!r}: name a list field and its items' id (list.id)")
            return None
        current, attrs = result.model, list[str]()
        for part in [*path, ""]:
            fields = self.types.fields(current or "")
            name = part or last
            if name not in fields:
                what = current or "(not a model)"
                self.fail(where, f"{text!r}: {name!r} is not a field of {what}")
                return None
            if not part:
                return (tuple(attrs), fields[name]) if attrs else None
            attrs.append(fields[part])
            node = self.types.field_nodes(current or "")[part]
            loc, _ = self.types.follow(node.value, node.doc, node.pointer)
            items = loc.value.get("items") if isinstance(loc.value, dict) else None
            if isinstance(items, dict):  # a list: its items' model
                loc, _ = self.types.follow(items, loc.doc, join_pointer(loc.pointer, "items"))
            current = self.types.model_of(loc)
        return None

    def _route(
        self, params: list[WsParam], variadic: WsParam | None, result: PyType
    ) -> tuple[str | None, tuple[str, ...]]:
        """The push field that tells which subscribed value a push belongs to, if any.

        A push is routed by a top-level push field named like a parameter (same title) with the
        same type; the variadic parameter counts too when it has the type of that parameter.
        """
        if result.model is None:
            return None, ()
        fields = self.types.fields(result.model)
        nodes = self.types.field_nodes(result.model)
        if not fields:
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


def _message_key(node: Message) -> str:
    """The name a message goes by: its component name, else one from where it is written."""
    if node.key:
        return node.key
    tokens = split_pointer(node.location.pointer)
    if tokens[:2] == ["components", "messages"] or (len(tokens) > 1 and tokens[-2] == "messages"):
        return tokens[-1]
    if len(tokens) > 2 and tokens[0] == "channels":
        return f"{tokens[1]}-{tokens[2]}"  # inline in a 2.x publish/subscribe
    return tokens[-1] if tokens else node.location.doc.path.stem
