"""A scriptable local WebSocket server for plain (non-RPC) messages.

Real sockets on 127.0.0.1 (websockets). The server knows no spec: a test tells it what to send
and reads what clients sent.

    received        asyncio.Queue of (path, frame) for every frame a client sent (JSON decoded
                    when it parses, else the raw str / bytes)
    paths           the request path of every connection, in order
    greeting        frames sent to every new connection right away
    compression     "text" (default): JSON text frames; "gzip" / "zlib": compressed binary frames
    send(obj)       send one frame to every open connection; returns how many got it
    kill()          abort every connection now (no closing handshake)
    wait_connections(n)  wait until n connections have been opened in total
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from typing import Any, Self

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed


class PlainServer:
    def __init__(self, *, compression: str = "text", greeting: list[Any] | None = None) -> None:
        self.compression = compression
        self.greeting = list(greeting or [])
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.paths: list[str] = []
        self.connections: set[ServerConnection] = set()
        self._opened = asyncio.Condition()
        self._server: Server | None = None

    async def __aenter__(self) -> Self:
        self._server = await serve(self._handle, "127.0.0.1", 0, ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}"

    def encode(self, obj: Any) -> bytes | str:
        if isinstance(obj, bytes):
            return obj
        text = obj.text if isinstance(obj, Raw) else json.dumps(obj, separators=(",", ":"))
        if self.compression == "gzip":
            return gzip.compress(text.encode())
        if self.compression == "zlib":
            return zlib.compress(text.encode())
        return text

    async def send(self, obj: Any) -> int:
        """Send `obj` (JSON-encoded; a `Raw` as its text; bytes as they are) to every client."""
        frame = self.encode(obj)
        sent = 0
        for ws in list(self.connections):
            try:
                await ws.send(frame)
                sent += 1
            except ConnectionClosed:
                pass
        return sent

    def kill(self) -> None:
        for ws in list(self.connections):
            ws.transport.abort()

    async def wait_connections(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout), self._opened:
            await self._opened.wait_for(lambda: len(self.paths) >= count)

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.add(ws)
        path = ws.request.path if ws.request is not None else ""
        async with self._opened:
            self.paths.append(path)
            self._opened.notify_all()
        try:
            for obj in self.greeting:
                await ws.send(self.encode(obj))
            async for frame in ws:
                try:
                    value: Any = json.loads(frame)
                except ValueError:
                    value = frame
                self.received.put_nowait((path, value))
        except ConnectionClosed:
            pass
        finally:
            self.connections.discard(ws)


class Raw:
    """A frame sent as this exact text (e.g. invalid JSON), compressed like the others."""

    def __init__(self, text: str) -> None:
        self.text = text
