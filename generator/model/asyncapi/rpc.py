"""JSON-RPC framing (`x-rpc`): requests, subscriptions, replies and pushes of a document."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.load import Document, Resolver
from generator.model.asyncapi.channels import _PlainBuilder
from generator.model.asyncapi.common import (
    CLIENT_NAMES,
    FRAME_CODECS,
    METHOD_KINDS,
    PARAM_RESERVED,
    _Message,
    _resolved,
    _text,
    model_aliases,
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
from generator.problems import Problem, SpecError, join_pointer


class _Builder(OrderBooks):
    def __init__(
        self, doc: Document, resolver: Resolver, package: str, types: TypeMapper | None = None
    ) -> None:
        self.doc, self.resolver, self.package = doc, resolver, package
        self.root: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        self.types = types if types is not None else TypeMapper(resolver, dialect="3.1.0")
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
            model_names=tuple(self.types.reached),
            model_aliases=model_aliases(self.root, self.doc, self.resolver, self.types),
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
    ) -> PyType:
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
                unique=self._unique(msg, join_pointer(where, "unique"), result)
                if kind == "subscribe" and "unique" in msg.rpc
                else None,
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

    def _unique(
        self, msg: _Message, where: str, result: PyType
    ) -> tuple[tuple[str, ...], str] | None:
        """`unique: <list field>.<id field>` (dotted): the attribute path of a list in the push
        model and the attribute of its items that identifies them."""
        text = msg.rpc.get("unique")
        *path, last = str(text).split(".")
        if not path:
            self.fail(msg.doc, where, f"{text!r}: name a list field and its items' id (list.id)")
            return None
        current, attrs = result.model, list[str]()
        for part in [*path, ""]:
            fields = self.types.fields(current or "")
            name = part or last
            if name not in fields:
                what = current or "(not a model)"
                self.fail(msg.doc, where, f"{text!r}: {name!r} is not a field of {what}")
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
