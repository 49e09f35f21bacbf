"""A mock exchange for WebSocket JSON-RPC, driven by an AsyncAPI spec and recorded sessions.

The spec's `x-rpc` says how frames are shaped, which method authenticates and which one is the
heartbeat; `x-rpc-method` says which messages are private, which push a subscribe starts and which
unsubscribe stops it; `x-frames` says how binary frames are compressed. Answers come from recorded
sessions (`<dir>/*.json`, `{"exchanges": [{"request", "reply", "pushes"}]}`) or, failing those, from
the examples of the method's reply message and of its push message in the spec.

    with WsMock("specs/ws.asyncapi.yaml", "tests/recordings/ws", secret_key="...") as mock:
        async with SomeSdk.WebSocketClient(url=mock.url, ...) as ws: ...

The server runs its own event loop on a background thread (real loopback sockets), like `RestMock`.
Error answers use the spec's own codes: an authentication failure takes the first code of the auth
method's `x-rpc-method.errors`; a private method before authentication, and an unknown method, take
the root `x-error-codes` entry whose name mentions authentication / "NotFound"; otherwise code 1.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from generator.load import load_document
from generator.runtime import _signing

__all__ = ["WsMock"]


@dataclass
class _Method:
    name: str
    kind: str
    private: bool = False
    reply: dict[str, Any] | None = None  # example reply payload
    push: str | None = None
    unsubscribe: str | None = None
    errors: dict[int, str] = field(default_factory=dict)


@dataclass
class _Exchange:
    request: dict[str, Any]
    reply: dict[str, Any]
    pushes: list[dict[str, Any]]


def _sign(sig: dict[str, Any], api_key: str, secret_key: str) -> str:
    """The SDK's own signing code (generator/runtime/_signing.py) on the spec's signature object."""
    spec = _signing.Signature.from_mapping({"algorithm": "md5", **sig})
    return _signing.sign(spec, {}, api_key, secret_key)


class WsMock:
    def __init__(
        self,
        asyncapi_path: str | Path,
        recordings_dir: str | Path | None = None,
        *,
        api_key: str | None = None,
        secret_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        doc = load_document(asyncapi_path).data
        rpc = doc.get("x-rpc") or {}
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
        binary = (doc.get("x-frames") or {}).get("binary", "auto")
        self.compression = {"auto": "gzip", "none": "text"}.get(binary, binary)
        self.codes = {
            int(c): str(e.get("name", "")) for c, e in (doc.get("x-error-codes") or {}).items()
        }
        messages = (doc.get("components") or {}).get("messages") or {}
        self.methods: dict[str, _Method] = {}
        self.push_examples: dict[str, list[dict[str, Any]]] = {}
        for msg in messages.values():
            meta = msg.get("x-rpc-method") or {}
            name, kind = meta.get("name"), meta.get("kind")
            examples = [e.get("payload") for e in msg.get("examples") or [] if isinstance(e, dict)]
            if kind == "push":
                self.push_examples.setdefault(name, []).extend(e for e in examples if e)
            elif kind in ("request", "subscribe", "unsubscribe"):
                reply_msg = messages.get(meta.get("reply") or "", {})
                replies = [e.get("payload") for e in reply_msg.get("examples") or []]
                ok = [
                    r for r in replies if isinstance(r, dict) and r.get(self.rep["error"]) is None
                ]
                errors = {
                    int(c): str(e.get("message", "")) for c, e in (meta.get("errors") or {}).items()
                }
                method = _Method(
                    name,
                    kind,
                    bool(meta.get("private")),
                    (ok or [None])[0],
                    meta.get("push"),
                    meta.get("unsubscribe"),
                    errors,
                )
                for alias in [name, *(meta.get("aliases") or [])]:
                    self.methods[alias] = method
        self.exchanges: list[_Exchange] = []
        if recordings_dir is not None:
            for path in sorted(Path(recordings_dir).glob("*.json")):
                for ex in json.loads(path.read_text(encoding="utf-8")).get("exchanges", []):
                    self.exchanges.append(
                        _Exchange(ex["request"], ex["reply"], ex.get("pushes") or [])
                    )
        self.api_key, self.secret_key = api_key, secret_key
        self.host, self.port = host, port
        self.requests: list[dict[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._ready = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="ws-mock", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("WebSocket mock did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        from websockets.asyncio.server import serve  # the mock's only non-generator dependency

        self._loop = asyncio.get_running_loop()
        async with serve(
            self._handle, self.host, self.port, ping_interval=None, compression=None
        ) as server:
            self._server = server
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await server.wait_closed()

    # -- serving -----------------------------------------------------------------------------
    def _encode(self, frame: dict[str, Any]) -> bytes | str:
        text = json.dumps(frame, separators=(",", ":"))
        if self.compression == "gzip":
            return gzip.compress(text.encode(), mtime=0)
        if self.compression in ("zlib", "deflate"):
            return zlib.compress(text.encode())
        return text

    def _error(self, rid: Any, code: int, message: str) -> dict[str, Any]:
        error = {self.err["code"]: code, self.err["message"]: message}
        return {self.rep["error"]: error, self.rep["result"]: None, self.rep["id"]: rid}

    def _code(self, needle: str) -> int:
        return next((c for c, name in sorted(self.codes.items()) if needle in name.lower()), 1)

    def _lookup(self, method: str, params: list[Any]) -> _Exchange | None:
        same = [ex for ex in self.exchanges if ex.request.get(self.req["method"]) == method]
        pool = [ex for ex in same if ex.request.get(self.req["params"]) == params] or same
        ok = [ex for ex in pool if ex.reply.get(self.rep["error"]) is None]
        return (ok or pool or [None])[0]

    async def _handle(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        state = {"authed": False}
        try:
            async for raw in ws:
                try:
                    request = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(request, dict):
                    continue
                self.requests.append(request)
                for frame in self._answer(request, state):
                    await ws.send(self._encode(frame))
        except ConnectionClosed:
            pass

    def _answer(self, request: dict[str, Any], state: dict[str, bool]) -> list[dict[str, Any]]:
        name = request.get(self.req["method"])
        params = request.get(self.req["params"]) or []
        rid = request.get(self.req["id"])
        method = self.methods.get(str(name))
        if method is None:
            return [self._error(rid, self._code("notfound"), "method not found")]
        if name == self.auth.get("method"):
            if self._auth_ok(params):
                state["authed"] = True
            else:
                code = next(iter(method.errors), self._code("auth"))
                return [self._error(rid, code, method.errors.get(code, "authentication failed"))]
        elif method.private and not state["authed"]:
            return [self._error(rid, self._code("auth"), "require authentication")]
        ex = self._lookup(method.name, params)
        if ex is not None:
            return [{**ex.reply, self.rep["id"]: rid}, *ex.pushes]
        if method.reply is None:
            return [self._error(rid, 1, "no recording or example for this request")]
        pushes = self.push_examples.get(method.push or "", []) if method.kind == "subscribe" else []
        return [{**method.reply, self.rep["id"]: rid}, *pushes]

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
