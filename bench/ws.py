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

from bench._common import Report, Row, paired
from bench.server import Server

LIMIT = 0.90  # issue 14
WARMUP = 200
SUBSCRIBE = ("BTCUSDT", 100, "0.01")


class _Windows:
    """Counts pushes after a warm-up in `windows` consecutive windows of `seconds`; keeps the best
    rate (another process taking the core only ever slows a window down), per wall second and per
    CPU second of this process (`time.process_time`: time the process was not scheduled does not
    count, so the rate does not depend on what else the machine runs)."""

    def __init__(self, windows: int, seconds: float) -> None:
        self.left, self.seconds = windows, seconds
        self.n, self.best, self.best_cpu = -WARMUP, 0.0, 0.0
        self.t0 = self.c0 = self.deadline = 0.0

    @property
    def best_rates(self) -> tuple[float, float]:
        return self.best, self.best_cpu

    def tick(self) -> bool:
        """One push; True when the last window is over."""
        self.n += 1
        if self.n == 0:
            self.t0, self.c0 = time.perf_counter(), time.process_time()
            self.deadline = self.t0 + self.seconds
        elif self.n > 0 and (self.n & 31) == 0:
            now = time.perf_counter()
            if now >= self.deadline:
                cpu = time.process_time()
                self.best = max(self.best, self.n / (now - self.t0))
                self.best_cpu = max(self.best_cpu, self.n / max(cpu - self.c0, 1e-9))
                self.left -= 1
                self.n, self.t0, self.c0, self.deadline = 0, now, cpu, now + self.seconds
                return self.left == 0
        return False


async def _raw(url: str, windows: int, seconds: float) -> tuple[float, float]:
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
                return count.best_rates


async def _ours(url: str, windows: int, seconds: float) -> tuple[float, float]:
    import hotbit

    count = _Windows(windows, seconds)
    async with hotbit.WebSocketClient(url=url) as ws:
        sub = ws.depth_subscribe(*SUBSCRIBE, policy="block")
        try:
            async for _update in sub:
                if count.tick():
                    return count.best_rates
        finally:
            await sub.aclose()
    raise RuntimeError("subscription ended")


async def _measure(
    url: str, rounds: int, windows: int, seconds: float
) -> dict[str, list[tuple[float, float]]]:
    rates: dict[str, list[tuple[float, float]]] = {"ours": [], "raw": []}
    runners = {"ours": _ours, "raw": _raw}
    for rnd in range(rounds):
        for name in ("ours", "raw") if rnd % 2 == 0 else ("raw", "ours"):
            rate = await asyncio.wait_for(
                runners[name](url, windows, seconds), windows * seconds + 30
            )
            rates[name].append(rate)
    return rates


def run(report: Report, rounds: int = 15, windows: int = 3, seconds: float = 0.15) -> None:
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
        f"[ws] depth.update pushes/s: {rounds} rounds (ours and raw side by side, order alternating, "
        f"a connection each), each the best of {windows} x {seconds:.2f} s windows; ratio = median "
        "of the per-round ratios; loopback server",
        flush=True,
    )
    with Server("ws") as port:
        url = f"ws://127.0.0.1:{port}/"
        both = asyncio.run(_measure(url, rounds, windows, seconds))
    rates = {k: [wall for wall, _ in v] for k, v in both.items()}
    cpu = {k: [c for _, c in v] for k, v in both.items()}
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print(
            f"  {k:5} {v:9,.0f} pushes/s (min {min(rates[k]):,.0f}, max {max(rates[k]):,.0f}); "
            f"{statistics.median(cpu[k]):,.0f} pushes per CPU second",
            flush=True,
        )
    wall_ratio, wall_spread = paired(rates["ours"], rates["raw"])
    ratio, spread = paired(cpu["ours"], cpu["raw"])
    print(f"  per wall second: {wall_spread}", flush=True)
    print(f"  per CPU second:  {spread}", flush=True)
    report.add(
        Row.rate_ratio(
            "WS depth.update pushes/s",
            med["ours"],
            med["raw"],
            "raw websockets",
            LIMIT,
            "/s",
            note="gzip binary frames, ~4 levels per update; policy=block; ratio = median of the "
            f"per-round ratios of pushes per client CPU second ({spread}); per wall second "
            f"{wall_ratio:.2f} ({wall_spread})",
            ratio=ratio,
        )
    )
