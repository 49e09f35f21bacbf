"""3. WebSocket throughput: depth.update pushes per second through a `WebSocketClient` subscription,
against a raw `websockets` receive loop doing gzip, `orjson.loads` and the same Decimal conversion.

The server (`bench/server.py ws`, its own process) streams pre-framed gzip binary frames of a
100-level snapshot followed by small incremental updates (bench/feed.py) as fast as the socket
takes them, so both clients are measured at saturation. Both connect with the same `websockets`
options as our client (`max_size=2**24`, `close_timeout=2`). Our subscription uses
`policy="block"` (every push delivered, none dropped), as the raw loop sees every frame too.
Rounds alternate between the two clients; each round is a fresh connection that skips its first
pushes (warm-up), then counts pushes in a few short windows and keeps the best one.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import zlib
from decimal import Decimal
from typing import Any

import orjson

from bench._common import Report, Row
from bench.server import Server

LIMIT = 0.8
WARMUP = 200
SUBSCRIBE = ("BTCUSDT", 100, "0.01")


class _Windows:
    """Counts pushes after a warm-up in `windows` consecutive windows of `seconds`; keeps the best
    rate (another process taking the core only ever slows a window down)."""

    def __init__(self, windows: int, seconds: float) -> None:
        self.left, self.seconds = windows, seconds
        self.n, self.best = -WARMUP, 0.0
        self.t0 = self.deadline = 0.0

    def tick(self) -> bool:
        """One push; True when the last window is over."""
        self.n += 1
        if self.n == 0:
            self.t0 = time.perf_counter()
            self.deadline = self.t0 + self.seconds
        elif self.n > 0 and (self.n & 31) == 0:
            now = time.perf_counter()
            if now >= self.deadline:
                self.best = max(self.best, self.n / (now - self.t0))
                self.left -= 1
                self.n, self.t0, self.deadline = 0, now, now + self.seconds
                return self.left == 0
        return False


async def _raw(url: str, windows: int, seconds: float) -> float:
    import websockets

    D = Decimal
    loads, decompress = orjson.loads, zlib.decompress
    count = _Windows(windows, seconds)
    async with websockets.connect(url, max_size=2**24, close_timeout=2.0) as ws:
        await ws.send(
            orjson.dumps({"method": "depth.subscribe", "params": list(SUBSCRIBE), "id": 1})
        )
        while True:
            data = await ws.recv()
            doc = loads(decompress(data, 31) if isinstance(data, bytes) else data)
            if doc.get("method") != "depth.update":
                continue
            clean, book, market = doc["params"]
            asks = [(D(p), D(a)) for p, a in book.get("asks", ())]
            bids = [(D(p), D(a)) for p, a in book.get("bids", ())]
            update: Any = (clean, asks, bids, market)  # noqa: F841 - what a consumer would get
            if count.tick():
                break
        # Untimed: unsubscribe and read up to the reply, so the close handshake is not stuck
        # behind frames websockets stopped reading (as our client does when the iterator ends).
        await ws.send(orjson.dumps({"method": "depth.unsubscribe", "params": [], "id": 2}))
        while True:
            data = await ws.recv()
            if b'"id":2' in (decompress(data, 31) if isinstance(data, bytes) else data.encode()):
                return count.best


async def _ours(url: str, windows: int, seconds: float) -> float:
    import hotbit

    count = _Windows(windows, seconds)
    async with hotbit.WebSocketClient(url=url) as ws:
        sub = ws.depth_subscribe(*SUBSCRIBE, policy="block")
        try:
            async for _update in sub:
                if count.tick():
                    return count.best
        finally:
            await sub.aclose()
    raise RuntimeError("subscription ended")


async def _measure(url: str, rounds: int, windows: int, seconds: float) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"ours": [], "raw": []}
    runners = {"ours": _ours, "raw": _raw}
    for rnd in range(rounds):
        for name in ("ours", "raw") if rnd % 2 == 0 else ("raw", "ours"):
            rate = await asyncio.wait_for(
                runners[name](url, windows, seconds), windows * seconds + 30
            )
            rates[name].append(rate)
    return rates


def run(report: Report, rounds: int = 7, windows: int = 3, seconds: float = 0.15) -> None:
    try:
        import hotbit

        hotbit.WebSocketClient  # noqa: B018
    except (ImportError, AttributeError) as exc:
        report.add(
            Row.missing(
                "WS depth.update pushes/s",
                f">= {LIMIT:.2f}",
                f"no hotbit.WebSocketClient yet ({exc})",
            )
        )
        return
    print(
        f"[ws] depth.update pushes/s: median of {rounds} alternating rounds (a connection each), each "
        f"the best of {windows} x {seconds:.2f} s windows; loopback server",
        flush=True,
    )
    with Server("ws") as port:
        url = f"ws://127.0.0.1:{port}/"
        rates = asyncio.run(_measure(url, rounds, windows, seconds))
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print(
            f"  {k:5} {v:9,.0f} pushes/s (min {min(rates[k]):,.0f}, max {max(rates[k]):,.0f})",
            flush=True,
        )
    report.add(
        Row.rate_ratio(
            "WS depth.update pushes/s",
            med["ours"],
            med["raw"],
            "raw websockets",
            LIMIT,
            "/s",
            note=f"gzip binary frames, ~4 levels per update; policy=block; "
            f"median of {rounds} rounds",
        )
    )
