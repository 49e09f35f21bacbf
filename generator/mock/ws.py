"""A mock exchange for WebSocket JSON-RPC, driven by an AsyncAPI spec and recorded sessions.

The spec's `x-rpc` says how frames are shaped, which method authenticates and which one is the
heartbeat; `x-rpc-method` says which messages are private, which push a subscribe starts and which
unsubscribe stops it; `x-frames` says how binary frames are compressed. Answers come from recorded
sessions (`<dir>/*.json`, `{"exchanges": [{"request", "reply", "pushes"}]}`) or, failing those, from
the examples of the method's reply message and of its push message in the spec.

    with WsMock("specs/ws.asyncapi.yaml", "tests/recordings/ws", secret_key="...") as mock:
        async with SomeSdk.WebSocketClient(url=mock.url, ...) as ws: ...

`with` runs it on its own event loop in a background thread (like `RestMock`); `async with` runs it
on the running loop, where the fault switches and pushes of the tests act at once:

    drop_after      abort each connection after sending that many frames
    answer_pings    False: ignore the heartbeat method (the client must reconnect)
    silent          True: ignore every request
    refuse          {method: error object}: answer that method with this error
    results         {method: result}: answer that method with this result instead
    reply_delay     seconds to wait before each reply
    reply_jitter    answer each request in its own task after a random delay up to this many
                    seconds, so replies come back out of order
    compression     "gzip", "zlib" or "text" (default: the spec's `x-frames`)
    send_recorded_pushes  False: send no recorded or example pushes after a reply
    kill()          abort every connection now
    inject(data)    send raw bytes / text to every connection (garbage, truncated gzip...)
    push(message)   send a push to the connections subscribed to it
    wait_subscribed(method, params)  wait until a connection holds that subscription

A request is answered from the recordings: the exchange with the same method and params (a
successful one first), else the first successful exchange of that method; the reply carries the
client's id and is followed by the recorded pushes. Per connection the mock keeps the
subscriptions the client made (a subscribe replaces the previous one of its method; an
unsubscribe drops the subscriptions it stops), so `push()` reaches only connections that asked.
Error answers use the spec's own codes: an authentication failure takes the first code of the auth
method's `x-rpc-method.errors`; a private method before authentication, and an unknown method, take
the root `x-error-codes` entry whose name mentions authentication / "NotFound"; otherwise code 1.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.document import AsyncAPIModel, Message, model_of
from generator.document.nodes import Extensions
from generator.load import load_document
from generator.mock.recordings import Exchange, load_exchanges
from generator.mock.wsserver import Conn, WsServer
from generator.problems import SpecError
from generator.runtime import _signing

__all__ = ["WsMock", "WsSpec"]


@dataclass
class WsMethod:
    name: str
    kind: str
    private: bool = False
    reply: dict[str, Any] | None = None  # example reply payload
    push: str | None = None
    unsubscribe: str | None = None
    errors: dict[int, str] = field(default_factory=dict)


def _sign(sig: dict[str, Any], api_key: str, secret_key: str) -> str:
    """The SDK's own signing code (generator/runtime/_signing.py) on the spec's signature object."""
    spec = _signing.Signature.from_mapping({"algorithm": "md5", **sig})
    return _signing.sign(spec, {}, api_key, secret_key)


def _x(extensions: Extensions, name: str) -> Any:
    """The value of an `x-` extension, or None when it is absent."""
    found = extensions.get(name)
    return None if found is None else found.value


def _payloads(message: Message) -> list[Any]:
    """The `payload` of each of a message's examples (None where an example has none)."""
    return [e.payload.value if e.payload is not None else None for e in message.examples]


class WsSpec:
    """What the mock needs of one AsyncAPI document: frame shapes, methods, codes, examples."""

    def __init__(self, asyncapi_path: str | Path) -> None:
        doc = load_document(asyncapi_path)
        model = model_of(doc)
        if not isinstance(model, AsyncAPIModel):
            raise SpecError([doc.problem("", "not an AsyncAPI document", "mock")])
        rpc = _x(model.extensions, "x-rpc") or {}
        self.req = {
            "method": "method",
            "params": "params",
            "id": "id",
            **(rpc.get("request") or {}),
        }
        self.rep = {"result": "result", "error": "error", "id": "id", **(rpc.get("reply") or {})}
        self.err = {"code": "code", "message": "message", **(rpc.get("error") or {})}
        self.auth = rpc.get("auth") or {}
        self.heartbeat = (rpc.get("heartbeat") or {}).get("method")
        binary = (_x(model.extensions, "x-frames") or {}).get("binary", "auto")
        self.compression = {"auto": "gzip", "none": "text"}.get(binary, binary)
        self.codes = {
            int(c): str(e.get("name", ""))
            for c, e in (_x(model.extensions, "x-error-codes") or {}).items()
        }
        messages = model.component_messages
        self.methods: dict[str, WsMethod] = {}  # by wire name and alias
        self.aliases: dict[str, list[str]] = {}  # canonical name -> every wire name
        self.push_examples: dict[str, list[dict[str, Any]]] = {}
        for msg in messages.values():
            meta = _x(msg.extensions, "x-rpc-method") or {}
            name, kind = str(meta.get("name", "")), meta.get("kind")
            examples = _payloads(msg)
            if kind == "push":
                self.push_examples.setdefault(name, []).extend(e for e in examples if e)
            elif kind in ("request", "subscribe", "unsubscribe"):
                reply_msg = messages.get(meta.get("reply") or "")
                replies = _payloads(reply_msg) if reply_msg is not None else []
                ok = [
                    r for r in replies if isinstance(r, dict) and r.get(self.rep["error"]) is None
                ]
                errors = {
                    int(c): str(e.get("message", "")) for c, e in (meta.get("errors") or {}).items()
                }
                method = WsMethod(
                    name,
                    kind,
                    bool(meta.get("private")),
                    ok[0] if ok else None,
                    meta.get("push"),
                    meta.get("unsubscribe"),
                    errors,
                )
                self.aliases[name] = [name, *(meta.get("aliases") or [])]
                for alias in self.aliases[name]:
                    self.methods[alias] = method

    @classmethod
    @functools.cache
    def load(cls, asyncapi_path: str | Path) -> WsSpec:
        """The document at this path, read once per process (tests start many mocks)."""
        return cls(asyncapi_path)

    @property
    def auth_method(self) -> str | None:
        method = self.auth.get("method")
        return str(method) if method else None


class WsMock(WsServer):
    """A generic WebSocket JSON-RPC mock exchange: see the module docstring."""

    def __init__(
        self,
        asyncapi_path: str | Path | WsSpec,
        recordings_dir: str | Path | Mapping[str, Mapping[str, Any]] | None = None,
        *,
        api_key: str | None = None,
        secret_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        spec = asyncapi_path if isinstance(asyncapi_path, WsSpec) else WsSpec(asyncapi_path)
        super().__init__(
            host=host, port=port, compression=spec.compression, permessage_deflate=False
        )
        self.spec = spec
        self.req, self.rep, self.err = spec.req, spec.rep, spec.err
        self.auth, self.heartbeat, self.codes = spec.auth, spec.heartbeat, spec.codes
        self.methods, self.push_examples = spec.methods, spec.push_examples
        self.exchanges: list[Exchange] = (
            [] if recordings_dir is None else load_exchanges(recordings_dir)
        )
        self.api_key, self.secret_key = api_key, secret_key
        self.requests: list[dict[str, Any]] = []  # every request received, in order
        # fault switches (module docstring)
        self.answer_pings = True
        self.silent = False
        self.reply_delay = 0.0
        self.reply_jitter = 0.0
        self.refuse: dict[str, dict[str, Any]] = {}
        self.results: dict[str, Any] = {}
        self.send_recorded_pushes = True

    async def __aexit__(self, *exc: object) -> None:
        self.kill_now()
        await super().__aexit__(*exc)

    # -- pushes and waits ------------------------------------------------------------------
    async def push(self, message: dict[str, Any]) -> int:
        """Send a push to every connection subscribed to it; returns how many got it."""
        name = message.get(self.req["method"])
        count = 0
        for conn in list(self.conns):
            if any(self._push_of(sub) == name for sub in conn.subscriptions):
                count += await self.send_to(conn, message)
        return count

    async def wait_subscribed(
        self,
        method: str,
        params: Iterable[Any] | None = None,
        *,
        connection: int | None = None,
        timeout: float = 5.0,
    ) -> Conn:
        """Wait until a connection (the `connection`-th or a later one) holds that subscription."""
        wanted = list(params) if params is not None else None

        def match() -> Conn | None:
            for conn in self.conns:
                got = conn.subscriptions.get(method)
                if (
                    got is not None
                    and (wanted is None or got == wanted)
                    and (connection is None or conn.number >= connection)
                ):
                    return conn
            return None

        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(lambda: match() is not None)
        conn = match()
        assert conn is not None
        return conn

    def _push_of(self, subscribe: str) -> str | None:
        method = self.methods.get(subscribe)
        return method.push if method is not None else None

    # -- serving ---------------------------------------------------------------------------
    def _error(self, rid: Any, code: int, message: str) -> dict[str, Any]:
        error = {self.err["code"]: code, self.err["message"]: message}
        return {self.rep["error"]: error, self.rep["result"]: None, self.rep["id"]: rid}

    def _code(self, needle: str) -> int:
        return next((c for c, name in sorted(self.codes.items()) if needle in name.lower()), 1)

    def _lookup(self, method: WsMethod, name: str, params: list[Any]) -> Exchange | None:
        wire = self.req["method"]
        same = [ex for ex in self.exchanges if ex.request.get(wire) == name]
        if not same:  # recorded under another name of the method
            names = self.spec.aliases.get(method.name, [method.name])
            same = [ex for ex in self.exchanges if ex.request.get(wire) in names]
        pool = [ex for ex in same if ex.request.get(self.req["params"]) == params] or same
        ok = [ex for ex in pool if ex.reply.get(self.rep["error"]) is None]
        return (ok or pool)[0] if pool else None

    async def on_frame(self, conn: Conn, frame: str | bytes) -> None:
        try:
            request = json.loads(frame)
        except ValueError:
            return
        if not isinstance(request, dict):
            return
        self.requests.append(request)
        conn.requests.append(request)
        if self.reply_jitter:
            self.spawn(self._reply(conn, request, random.random() * self.reply_jitter))
        else:
            await self._reply(conn, request)

    async def _reply(self, conn: Conn, request: dict[str, Any], delay: float = 0.0) -> None:
        name = request.get(self.req["method"])
        if self.silent or (name == self.heartbeat and not self.answer_pings):
            return
        if self.reply_delay or delay:
            await asyncio.sleep(self.reply_delay + delay)
        frames = self._answer(request, conn)
        if not frames:
            return
        await self.send_to(conn, frames[0])
        async with self.changed:
            self.changed.notify_all()
        if self.send_recorded_pushes:
            for push in frames[1:]:
                await self.send_to(conn, push)

    def _answer(self, request: dict[str, Any], conn: Conn) -> list[dict[str, Any]]:
        """The reply to a request and the pushes that follow it; tracks the subscriptions."""
        name = request.get(self.req["method"])
        params = request.get(self.req["params"]) or []
        rid = request.get(self.req["id"])
        if name in self.refuse:
            return [
                {
                    self.rep["error"]: self.refuse[name],
                    self.rep["result"]: None,
                    self.rep["id"]: rid,
                }
            ]
        if name in self.results:
            return [
                {
                    self.rep["error"]: None,
                    self.rep["result"]: self.results[name],
                    self.rep["id"]: rid,
                }
            ]
        method = self.methods.get(str(name))
        if method is None:
            return [self._error(rid, self._code("notfound"), "method not found")]
        if name == self.auth.get("method"):
            if self._auth_ok(params):
                conn.authed = True
            else:
                code = next(iter(method.errors), self._code("auth"))
                return [self._error(rid, code, method.errors.get(code, "authentication failed"))]
        elif method.private and not conn.authed:
            return [self._error(rid, self._code("auth"), "require authentication")]
        ex = self._lookup(method, str(name), params)
        if ex is not None:
            frames = [{**ex.reply, self.rep["id"]: rid}, *ex.pushes]
        elif method.reply is None:
            return [self._error(rid, 1, "no recording or example for this request")]
        else:
            pushes = (
                self.push_examples.get(method.push or "", []) if method.kind == "subscribe" else []
            )
            frames = [{**method.reply, self.rep["id"]: rid}, *pushes]
        if method.kind == "subscribe" and frames[0].get(self.rep["error"]) is None:
            conn.subscriptions[method.name] = list(params)
        elif method.kind == "unsubscribe":
            for sub in [s for s in conn.subscriptions if self._unsubscribe_of(s) == method.name]:
                del conn.subscriptions[sub]
        return frames

    def _unsubscribe_of(self, subscribe: str) -> str | None:
        method = self.methods.get(subscribe)
        if method is None or method.unsubscribe is None:
            return None
        stop = self.methods.get(method.unsubscribe)
        return stop.name if stop is not None else method.unsubscribe

    def _auth_ok(self, params: list[Any]) -> bool:
        if self.secret_key is None:
            return True  # no secret configured: any authentication succeeds
        template = [str(p) for p in self.auth.get("params", [])]
        api_key = self.api_key
        if api_key is None and "{api_key}" in template and len(params) == len(template):
            api_key = str(params[template.index("{api_key}")])  # whichever key the client uses
        if api_key is None:
            return False
        signature = _sign(self.auth.get("signature") or {}, api_key, self.secret_key)
        expected = [
            p.replace("{api_key}", api_key).replace("{signature}", signature) for p in template
        ]
        return [str(p) for p in params] == expected
