"""A loopback WebSocket server that knows no spec: the transport under `WsMock`, and on its own
a scriptable server for plain (non-RPC) channels.

Real sockets (websockets). Run it either way:

    async with WsServer() as server: ...   # on the running event loop (async tests)
    with WsServer() as server: ...         # on its own event loop in a background thread

What a test reads and does (on the server's loop; `kill()` also from any thread):

    received        asyncio.Queue of (path, frame) for every frame a client sent (JSON decoded
                    when it parses, else the raw str / bytes); `WsMock` logs `requests` instead
    paths           the request path of every connection, in order
    connections     how many connections were accepted so far; `conns`: the open ones
    greeting        frames sent to every new connection right away
    compression     "text": JSON text frames; "gzip" / "zlib": compressed binary frames
    drop_after      abort each connection after sending that many frames
    send(obj)       send one frame to every open connection; returns how many got it
    inject(data)    send raw bytes / text to every connection (garbage, truncated gzip...)
    kill()          abort every connection now (no closing handshake), like a network failure
    wait_connections(n)  wait until n connections have been opened in total
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import zlib
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

__all__ = ["Conn", "Raw", "WsServer"]


class Raw:
    """A frame sent as this exact text (e.g. invalid JSON), compressed like the others."""

    def __init__(self, text: str) -> None:
        self.text = text


@dataclass
class Conn:
    """One client connection, as the server sees it."""

    ws: Any  # websockets ServerConnection
    number: int  # 1 for the first connection accepted, ...
    path: str = ""
    sent: int = 0  # frames sent to it
    authed: bool = False
    subscriptions: dict[str, list[Any]] = field(default_factory=dict)  # subscribe method -> params
    requests: list[dict[str, Any]] = field(default_factory=list)


class WsServer:
    """See the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        compression: str = "text",
        greeting: list[Any] | None = None,
        permessage_deflate: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.compression = compression
        self.greeting = list(greeting or [])
        self.permessage_deflate = permessage_deflate
        self.drop_after: int | None = None
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.paths: list[str] = []
        self.conns: list[Conn] = []  # open connections
        self.connections = 0  # accepted so far
        self.changed = asyncio.Condition()  # notified on every connection and subscription
        self._server: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    # -- lifecycle on the running loop -----------------------------------------------------
    async def __aenter__(self) -> Self:
        from websockets.asyncio.server import serve  # the mock's only non-generator dependency

        self._loop = asyncio.get_running_loop()
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            ping_interval=None,
            compression="deflate" if self.permessage_deflate else None,
        )
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # -- lifecycle on a background thread --------------------------------------------------
    def start(self) -> Self:
        self._ready.clear()
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)
        self._thread.name = "ws-mock"
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("WebSocket mock did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive():
                raise RuntimeError("WebSocket mock did not stop within 10 s")
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self:
            self._ready.set()
            await self._stop.wait()

    @property
    def origin(self) -> str:
        """`ws://host:port`, without a path."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + "/"

    # -- what a test does ------------------------------------------------------------------
    def encode(self, obj: Any) -> bytes | str:
        """A frame for `obj`: bytes as they are, a `Raw` as its text, else compact JSON."""
        if isinstance(obj, bytes):
            return obj
        text = obj.text if isinstance(obj, Raw) else json.dumps(obj, separators=(",", ":"))
        if self.compression == "gzip":
            return gzip.compress(text.encode(), mtime=0)
        if self.compression in ("zlib", "deflate"):
            return zlib.compress(text.encode())
        return text

    async def send(self, obj: Any) -> int:
        """Send `obj` (encoded) to every open connection; returns how many got it."""
        count = 0
        for conn in list(self.conns):
            count += await self.send_to(conn, obj)
        return count

    async def send_to(self, conn: Conn, obj: Any) -> int:
        """Send `obj` (encoded) to one connection; 1 if it went out, else 0."""
        from websockets.exceptions import ConnectionClosed

        try:
            await conn.ws.send(self.encode(obj))
        except ConnectionClosed:
            return 0
        conn.sent += 1
        if self.drop_after is not None and conn.sent >= self.drop_after:
            conn.ws.transport.abort()
        return 1

    async def inject(self, data: bytes | str) -> None:
        """Send a raw frame to every connection (bytes: binary frame, str: text frame)."""
        from websockets.exceptions import ConnectionClosed

        for conn in list(self.conns):
            try:
                await conn.ws.send(data)
            except ConnectionClosed:
                pass

    def kill(self) -> None:
        """Abort every open connection (no closing handshake), like a network failure."""
        loop = self._loop
        if (
            loop is not None
            and self._thread is not None
            and self._thread is not threading.current_thread()
        ):
            loop.call_soon_threadsafe(self.kill_now)
        else:
            self.kill_now()

    def kill_now(self) -> None:
        for conn in list(self.conns):
            conn.ws.transport.abort()

    async def wait_connections(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(lambda: len(self.paths) >= count)

    # -- serving ---------------------------------------------------------------------------
    async def _handle(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        self.connections += 1
        conn = Conn(ws, self.connections, ws.request.path if ws.request is not None else "")
        self.conns.append(conn)
        async with self.changed:
            self.paths.append(conn.path)
            self.changed.notify_all()
        try:
            for obj in self.greeting:
                await self.send_to(conn, obj)
            async for frame in ws:
                await self.on_frame(conn, frame)
        except ConnectionClosed:
            pass
        finally:
            self.conns.remove(conn)

    async def on_frame(self, conn: Conn, frame: str | bytes) -> None:
        """A frame from a client: queued on `received` (a subclass answers it instead)."""
        try:
            value: Any = json.loads(frame)
        except ValueError:
            value = frame
        self.received.put_nowait((conn.path, value))

    def spawn(self, coro: Any) -> None:
        """Run `coro` in its own task, cancelled when the server stops."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
