"""Fast loopback servers for the throughput benchmarks, run in their own process so that they do not
share the GIL (or a core) with the client being measured.

`python -m bench.server http` answers every recorded REST path (tests/recordings/rest) with its
recorded body from pre-built bytes, HTTP/1.1 keep-alive. `python -m bench.server ws` is a minimal
WebSocket server: it answers JSON-RPC requests (`*.subscribe`, `server.ping`, ...) and, after
`depth.subscribe`, streams pre-framed gzip binary `depth.update` pushes (bench/feed.py) as fast as
the socket takes them. Both print their port on the first line of stdout and stop on stdin EOF, on
SIGTERM or after `--max-seconds`. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import orjson

HERE = Path(__file__).resolve().parent
RECORDINGS = HERE.parent / "tests" / "recordings" / "rest"


# -- HTTP ----------------------------------------------------------------------------------------
def _http_routes() -> dict[bytes, bytes]:
    routes: ClassVar[dict[bytes, bytes]] = {}
    for path in sorted(RECORDINGS.glob("*.json"), key=lambda p: ("__" in p.stem, p.stem)):
        rec = json.loads(path.read_text())
        target = rec["request"]["path"].encode()
        if target in routes:
            continue
        body = rec["response"]["body"]
        payload = body.encode() if isinstance(body, str) else orjson.dumps(body)
        head = (
            f"HTTP/1.1 {rec['response']['status']} OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(payload)}\r\n\r\n"
        ).encode()
        routes[target] = head + payload
    return routes


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"


class _Http(asyncio.Protocol):
    routes: ClassVar[dict[bytes, bytes]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data
        out = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            length = 0
            at = head.lower().find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            if len(buf) < end + 4 + length:
                break
            target = head[: head.find(b"\r\n")].split(b" ", 2)[1]
            out.append(self.routes.get(target.split(b"?", 1)[0], _NOT_FOUND))
            buf = buf[end + 4 + length :]
        self.buf = buf
        if out:
            self.transport.write(b"".join(out))


# -- WebSocket -----------------------------------------------------------------------------------
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(payload: bytes, opcode: int = 2) -> bytes:
    """An unmasked server frame."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def gz(obj: Any) -> bytes:
    return gzip.compress(orjson.dumps(obj), compresslevel=6, mtime=0)


class _Ws(asyncio.Protocol):
    pushes: ClassVar[
        list[bytes]
    ] = []  # pre-framed gzip depth.update frames; the first is the snapshot

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""
        self.open = False
        self.streaming: asyncio.Task[None] | None = None
        self.can_write = asyncio.Event()
        self.can_write.set()

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.can_write.set()
        if self.streaming:
            self.streaming.cancel()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.open:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            key = b""
            for line in self.buf[:end].split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"sec-websocket-key":
                    key = value.strip()
            accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
            self.transport.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
            self.buf = self.buf[end + 4 :]
            self.open = True
        while len(self.buf) >= 2:
            b0, b1 = self.buf[0], self.buf[1]
            n, at = b1 & 0x7F, 2
            if n == 126:
                if len(self.buf) < 4:
                    return
                n, at = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    return
                n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
            masked = b1 & 0x80
            if len(self.buf) < at + (4 if masked else 0) + n:
                return
            mask = self.buf[at : at + 4] if masked else b"\0\0\0\0"
            at += 4 if masked else 0
            raw = self.buf[at : at + n]
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(raw)) if masked else raw
            self.buf = self.buf[at + n :]
            self._on_frame(b0 & 0x0F, payload)

    def _on_frame(self, opcode: int, payload: bytes) -> None:
        if opcode == 8:  # close: stop streaming, answer, hang up
            if self.streaming is not None:
                self.streaming.cancel()
                self.streaming = None
            self.transport.write(frame(payload[:2], 8))
            self.transport.close()
            return
        if opcode == 9:  # ping
            self.transport.write(frame(payload, 10))
            return
        if opcode not in (1, 2):
            return
        if payload[:2] == b"\x1f\x8b":
            payload = gzip.decompress(payload)
        try:
            msg = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return
        method = msg.get("method", "")
        result: Any = {"status": "success"}
        if method == "server.ping":
            result = "pong"
        elif method == "server.time":
            result = 1672531200
        self.transport.write(frame(gz({"error": None, "result": result, "id": msg.get("id")})))
        if method == "depth.subscribe" and self.streaming is None:
            self.streaming = asyncio.get_running_loop().create_task(self._stream())
        elif method == "depth.unsubscribe" and self.streaming is not None:
            self.streaming.cancel()
            self.streaming = None

    async def _stream(self) -> None:
        self.transport.set_write_buffer_limits(high=1 << 18)
        self.transport.write(self.pushes[0])
        batch = b"".join(self.pushes[1:])
        while not self.transport.is_closing():
            await self.can_write.wait()
            self.transport.write(batch)
            await asyncio.sleep(0)


# -- process management ------------------------------------------------------------------------------
async def _serve(kind: str, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    if kind == "http":
        _Http.routes = _http_routes()
        server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=256)
    else:
        from bench import feed

        _Ws.pushes = [frame(gz(p)) for p in feed.stream(500)]
        server = await loop.create_server(_Ws, "127.0.0.1", 0, backlog=64)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(
        sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 1024) else None
    )
    try:
        await asyncio.wait_for(stop.wait(), max_seconds)
    except TimeoutError:
        pass
    server.close()


class Server:
    """`with Server("http") as port:` runs `python -m bench.server` in a child process."""

    def __init__(self, kind: str, max_seconds: float = 300.0) -> None:
        self.kind, self.max_seconds = kind, max_seconds
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> int:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.server",
                self.kind,
                "--max-seconds",
                str(self.max_seconds),
            ],
            cwd=HERE.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"bench.server {self.kind} did not start")
        return int(line)

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # EOF: the server stops by itself
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__)
    parser.add_argument("kind", choices=("http", "ws"))
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.kind, args.max_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
