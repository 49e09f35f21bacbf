"""A local WebSocket server that replays the recorded sessions in tests/recordings/ws/.

Real sockets on 127.0.0.1 (websockets). Every reply and push goes out as a gzip binary frame,
as the live server sent them. A request is answered from the recordings: the exchange with the
same method and params, else the first exchange of that method; the reply carries the client's
id and is followed by the recorded pushes. What the spec says about methods (private ones, the
auth and heartbeat methods, which push each subscribe starts, which unsubscribe stops it) is
read from the AsyncAPI document, so the server knows no exchange by itself.

The server keeps, per connection, the subscriptions the client made (a subscribe replaces the
previous one of its method; an unsubscribe drops all of its methods), so `push()` reaches only
connections that asked for it. Faults are switches on the server, effective at once:

    drop_after      abort each connection after sending that many frames
    answer_pings    False: ignore the heartbeat method (the client must reconnect)
    silent          True: ignore every request
    refuse          {method: error object}: answer that method with this error
    results         {method: result}: answer that method with this result instead
    reply_delay     seconds to wait before each reply
    reply_jitter    answer each request in its own task after a random delay up to this many
                    seconds, so replies come back out of order
    compression     "gzip" (default), "zlib" or "text"
    kill()          abort every connection now
    inject(data)    send raw bytes / text to every connection (garbage, truncated gzip...)
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import yaml
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "tests" / "recordings" / "ws"
SPEC = ROOT / "specs" / "hotbit-websocket.asyncapi.yaml"


# The documentation's example key pair (its signature appears in the recordings).
DOC_KEYS = {"6b97d781-5ffd-958f-576d96d0bbebc8c6": "de8063ea6e99bc967ba6395d06fabf50"}


def load_recordings(folder: Path = RECORDINGS) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@dataclass
class SpecFacts:
    """What the replay server needs to know from the AsyncAPI document."""

    private: set[str] = field(default_factory=set)
    push_of: dict[str, str] = field(default_factory=dict)  # subscribe -> push
    unsubscribe_of: dict[str, str] = field(default_factory=dict)  # subscribe -> unsubscribe
    auth_method: str | None = None
    heartbeat_method: str | None = None

    @classmethod
    @functools.cache
    def load(cls, path: Path = SPEC) -> SpecFacts:
        doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        facts = cls()
        rpc = doc.get("x-rpc") or {}
        facts.auth_method = (rpc.get("auth") or {}).get("method")
        facts.heartbeat_method = (rpc.get("heartbeat") or {}).get("method")
        for msg in ((doc.get("components") or {}).get("messages") or {}).values():
            meta = msg.get("x-rpc-method") or {}
            name = meta.get("name")
            if meta.get("private"):
                facts.private.add(name)
            if meta.get("kind") == "subscribe":
                facts.push_of[name] = meta.get("push")
                if meta.get("unsubscribe"):
                    facts.unsubscribe_of[name] = meta["unsubscribe"]
        return facts


@dataclass
class Exchange:
    request: dict[str, Any]
    reply: dict[str, Any]
    pushes: list[dict[str, Any]]


@dataclass
class Conn:
    ws: ServerConnection
    number: int
    sent: int = 0
    authed: bool = False
    subscriptions: dict[str, list[Any]] = field(default_factory=dict)  # subscribe method -> params
    requests: list[dict[str, Any]] = field(default_factory=list)


class ReplayServer:
    def __init__(
        self, recordings: dict[str, dict[str, Any]] | None = None, facts: SpecFacts | None = None
    ) -> None:
        self.facts = facts or SpecFacts.load()
        self.exchanges: list[Exchange] = []
        for session in (recordings if recordings is not None else load_recordings()).values():
            for ex in session["exchanges"]:
                self.exchanges.append(Exchange(ex["request"], ex["reply"], ex.get("pushes") or []))
        self.conns: list[Conn] = []  # open connections
        self.connections = 0  # accepted so far
        self.requests: list[dict[str, Any]] = []  # every request received, in order
        self.drop_after: int | None = None
        self.answer_pings = True
        self.silent = False
        self.reply_delay = 0.0
        self.reply_jitter = 0.0
        self.compression = "gzip"
        self.refuse: dict[str, dict[str, Any]] = {}
        self.results: dict[str, Any] = {}
        self.send_recorded_pushes = True
        self.subscribed = asyncio.Condition()
        self._server: Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, ping_interval=None, compression=None
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.kill()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}/"

    # -- faults and pushes ------------------------------------------------------------------
    def kill(self) -> None:
        """Abort every open connection (no closing handshake), like a network failure."""
        for conn in list(self.conns):
            conn.ws.transport.abort()

    async def inject(self, data: bytes | str) -> None:
        """Send a raw frame to every connection (bytes: binary frame, str: text frame)."""
        for conn in list(self.conns):
            try:
                await conn.ws.send(data)
            except ConnectionClosed:
                pass

    async def push(self, message: dict[str, Any]) -> int:
        """Send a push to every connection subscribed to it; returns how many got it."""
        count = 0
        for conn in list(self.conns):
            if any(self.facts.push_of.get(sub) == message["method"] for sub in conn.subscriptions):
                count += await self._send(conn, message)
        return count

    async def wait_subscribed(
        self,
        method: str,
        params: Iterable[Any] | None = None,
        *,
        connection: int | None = None,
        timeout: float = 5.0,
    ) -> Conn:
        """Wait until a connection (the `connection`-th, if given) holds that subscription."""
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

        async with asyncio.timeout(timeout):
            async with self.subscribed:
                await self.subscribed.wait_for(lambda: match() is not None)
        conn = match()
        assert conn is not None
        return conn

    # -- serving ----------------------------------------------------------------------------
    def encode(self, message: dict[str, Any]) -> bytes | str:
        text = json.dumps(message, separators=(",", ":"))
        if self.compression == "gzip":
            return gzip.compress(text.encode(), mtime=0)
        if self.compression == "zlib":
            return zlib.compress(text.encode())
        return text

    async def _send(self, conn: Conn, message: dict[str, Any]) -> int:
        try:
            await conn.ws.send(self.encode(message))
        except ConnectionClosed:
            return 0
        conn.sent += 1
        if self.drop_after is not None and conn.sent >= self.drop_after:
            conn.ws.transport.abort()
        return 1

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        conn = Conn(ws, self.connections)
        self.conns.append(conn)
        try:
            async for frame in ws:
                try:
                    request = json.loads(frame)
                except ValueError:
                    continue
                self.requests.append(request)
                conn.requests.append(request)
                if self.reply_jitter:
                    task = asyncio.create_task(
                        self._answer(conn, request, random.random() * self.reply_jitter)
                    )
                    self._handlers.add(task)
                    task.add_done_callback(self._handlers.discard)
                else:
                    await self._answer(conn, request)
        except ConnectionClosed:
            pass
        finally:
            self.conns.remove(conn)

    def _lookup(self, method: str, params: list[Any]) -> Exchange | None:
        same = [ex for ex in self.exchanges if ex.request["method"] == method]
        exact = [ex for ex in same if ex.request.get("params") == params]
        ok = [ex for ex in exact if ex.reply.get("error") is None]
        return (
            ok or exact or [ex for ex in same if ex.reply.get("error") is None] or same or [None]
        )[0]

    async def _answer(self, conn: Conn, request: dict[str, Any], delay: float = 0.0) -> None:
        method, params, rid = request.get("method"), request.get("params") or [], request.get("id")
        if self.silent or (method == self.facts.heartbeat_method and not self.answer_pings):
            return
        if self.reply_delay or delay:
            await asyncio.sleep(self.reply_delay + delay)
        facts = self.facts
        if method in self.refuse:
            error = {"error": self.refuse[method], "result": None, "id": rid}
            await self._send(conn, error)
            return
        if method in self.results:
            await self._send(conn, {"error": None, "result": self.results[method], "id": rid})
            return
        if method == facts.auth_method:
            ex = self._lookup(method, params)
            if (
                ex is not None
                and ex.request.get("params") == params
                and ex.reply.get("error") is None
            ):
                conn.authed = True
                await self._send(conn, {**ex.reply, "id": rid})
            else:
                await self._send(
                    conn,
                    {
                        "error": {"code": 11, "message": "authentication failed"},
                        "result": None,
                        "id": rid,
                    },
                )
            return
        if method in facts.private and not conn.authed:
            await self._send(
                conn,
                {
                    "error": {"code": 6, "message": "require authentication"},
                    "result": None,
                    "id": rid,
                },
            )
            return
        ex = self._lookup(method, params)
        if ex is None:
            await self._send(
                conn,
                {"error": {"code": 4, "message": "method not found"}, "result": None, "id": rid},
            )
            return
        if method in facts.push_of and ex.reply.get("error") is None:
            conn.subscriptions[method] = list(params)
        for sub, unsub in facts.unsubscribe_of.items():
            if unsub == method:
                conn.subscriptions.pop(sub, None)
        await self._send(conn, {**ex.reply, "id": rid})
        async with self.subscribed:
            self.subscribed.notify_all()
        if self.send_recorded_pushes:
            for push in ex.pushes:
                await self._send(conn, push)


async def main() -> None:  # pragma: no cover - manual use: python tests/ws_replay_server.py
    async with ReplayServer() as server:
        print("replaying", len(server.exchanges), "exchanges on", server.url, flush=True)
        await asyncio.Future()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(main())
