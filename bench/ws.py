"""3. WebSocket throughput: depth.update pushes per second through a `WebSocketClient` subscription,
against a raw `websockets` receive loop doing gzip, `orjson.loads` and the same Decimal conversion.

The server (`bench/server.py ws`, its own process) streams pre-framed gzip binary frames of a
100-level snapshot followed by small incremental updates (bench/feed.py) as fast as the socket
takes them, so both clients are measured at saturation. Both connect with the same `websockets`
options as our client (`max_size=2**24`, `close_timeout=2`). Our subscription uses
`policy="block"` (every push delivered, none dropped), as the raw loop sees every frame too.

A second row runs ours with `keep_extra=False` (no `model_extra` notes): what the notes cost.

Pairing: the clients run at the same time in their own processes (`python -m bench.ws
ours|lean|raw URL N`), each connected once and printing its CPU time every N pushes, but only one
runs at a time: the others are stopped (SIGSTOP) and their connections simply wait. Windows run
raw, ours, raw, lean, raw, ours, ...: a window resumes its client for three reports, keeps the
third (the first spans the pause, the second reads what the kernel buffered meanwhile) and stops
it again. Each of ours is compared with raw's windows just before and after it (geometric mean),
~60 ms away: this VM's speed drifts by tens of percent within a second. The result is the median
of those per-round ratios over many rounds. A stopped process uses no CPU and keeps its queue, so no client gets another's work
or pre-decoded pushes.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import zlib
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import orjson

from bench._common import Report, Row, paired
from bench.server import Server

LIMIT = 0.90  # issue 14
WARMUP = 2000
PER_REPORT = 2000
SKIP = 2  # reports skipped after each resume
TIMEOUT = 60.0  # seconds a window may take before its client is killed
SUBSCRIBE = ("BTCUSDT", 100, "0.01")
MEASURED = ("ours", "lean")  # lean: ours with keep_extra=False
HERE = Path(__file__).resolve().parent


class _Reporter:
    """Prints `pushes wall_seconds cpu_seconds` for every `every` pushes after a warm-up."""

    def __init__(self, every: int, out: IO[str]) -> None:
        self.every, self.out = every, out
        self.n = -WARMUP
        self.t0 = self.c0 = 0.0

    def tick(self) -> None:
        self.n += 1
        if self.n == 0:
            self.t0, self.c0 = time.perf_counter(), time.process_time()
        elif self.n == self.every:
            now, cpu = time.perf_counter(), time.process_time()
            self.out.write(f"{self.n} {now - self.t0:.6f} {cpu - self.c0:.6f}\n")
            self.out.flush()
            self.n, self.t0, self.c0 = 0, time.perf_counter(), time.process_time()


async def _raw(url: str, count: _Reporter) -> None:
    import websockets

    D = Decimal
    loads, decompress = orjson.loads, zlib.decompress
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
            count.tick()


async def _ours(url: str, count: _Reporter, keep_extra: bool = True) -> None:
    import hotbit

    async with hotbit.WebSocketClient(url=url, keep_extra=keep_extra) as ws:
        sub = ws.depth_subscribe(*SUBSCRIBE, policy="block")
        async for _update in sub:
            count.tick()


def _client(kind: str, url: str, every: int) -> None:
    """One measured client until killed (the coordinator's child process)."""
    count = _Reporter(every, sys.stdout)
    if kind == "raw":
        asyncio.run(_raw(url, count))
    else:
        asyncio.run(_ours(url, count, keep_extra=kind == "ours"))


class _Child:
    def __init__(self, kind: str, url: str, every: int) -> None:
        self.kind = kind
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.ws", kind, url, str(every)],
            cwd=HERE.parent,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )

    def report(self) -> tuple[float, float]:
        """Pushes per wall second and per CPU second of the next report."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.kind} client ended (exit {self.proc.wait()})")
        n, wall, cpu = line.split()
        return int(n) / float(wall), int(n) / max(float(cpu), 1e-9)

    def window(self) -> tuple[float, float]:
        os.kill(self.proc.pid, signal.SIGCONT)
        stuck = threading.Timer(TIMEOUT, self.proc.kill)  # a silent client ends the report
        stuck.start()
        try:
            for _ in range(SKIP):
                self.report()  # spans the pause; then pushes the kernel buffered meanwhile
            return self.report()
        finally:
            stuck.cancel()
            if self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGSTOP)

    def close(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)
        self.proc.kill()
        self.proc.wait(10)


def _measure(url: str, rounds: int) -> dict[str, list[tuple[float, float, float, float]]]:
    """Per kind and round: its rates (wall, CPU) and raw's in the windows just before and after
    it (geometric mean): the windows run raw, ours, raw, lean, raw, ours, ..."""
    children = {kind: _Child(kind, url, PER_REPORT) for kind in (*MEASURED, "raw")}
    try:
        for child in children.values():
            child.window()  # connected, warmed up; stopped again
        out: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in MEASURED}
        before = children["raw"].window()
        for _ in range(rounds):
            for kind in MEASURED:
                own = children[kind].window()
                after = children["raw"].window()
                base = [math.sqrt(b * a) for b, a in zip(before, after, strict=True)]
                out[kind].append((*own, *base))
                before = after
        return out
    finally:
        for child in children.values():
            child.close()


def run(report: Report, rounds: int = 121) -> None:
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
        f"[ws] depth.update pushes/s: {rounds} rounds; ours (default, and keep_extra=False) and "
        f"raw in three processes, one resumed at a time for a window of {PER_REPORT:,} pushes "
        "(order rotating); ratio = median of the per-round ratios; loopback server",
        flush=True,
    )
    with Server("ws") as port:
        measured = _measure(f"ws://127.0.0.1:{port}/", rounds)
    wall = {k: [r[0] for r in v] for k, v in measured.items()}
    cpu = {k: [r[1] for r in v] for k, v in measured.items()}
    base_wall = {k: [r[2] for r in v] for k, v in measured.items()}
    base_cpu = {k: [r[3] for r in v] for k, v in measured.items()}
    raw_rates = base_wall["ours"]
    med_raw = statistics.median(raw_rates)
    for k, v in wall.items():
        print(
            f"  {k:5} {statistics.median(v):9,.0f} pushes/s (min {min(v):,.0f}, max {max(v):,.0f}); "
            f"{statistics.median(cpu[k]):,.0f} pushes per CPU second",
            flush=True,
        )
    print(
        f"  raw   {med_raw:9,.0f} pushes/s (min {min(raw_rates):,.0f}, max {max(raw_rates):,.0f})"
    )
    half = rounds // 2
    for kind, label, what in (
        ("ours", "WS depth.update pushes/s", "policy=block"),
        ("lean", "WS depth.update pushes/s, keep_extra=False", "policy=block, no model_extra"),
    ):
        wall_ratio, wall_spread = paired(wall[kind], base_wall[kind])
        ratio, spread = paired(cpu[kind], base_cpu[kind])
        halves = [
            paired(cpu[kind][s], base_cpu[kind][s])[0] for s in (slice(half), slice(half, None))
        ]
        print(f"  {kind} per wall second: {wall_spread}", flush=True)
        print(f"  {kind} per CPU second:  {spread}", flush=True)
        print(f"  {kind} halves: {halves[0]:.3f}, {halves[1]:.3f}", flush=True)
        report.add(
            Row.rate_ratio(
                label,
                statistics.median(wall[kind]),
                med_raw,
                "raw websockets",
                LIMIT,
                "/s",
                note=f"gzip binary frames, ~4 levels per update; {what}; ratio = median of the "
                f"per-round ratios of pushes per client CPU second to raw's windows before and "
                f"after ({spread}; first and second half {halves[0]:.3f} / {halves[1]:.3f}); per "
                f"wall second {wall_ratio:.2f} ({wall_spread})",
                ratio=ratio,
            )
        )


if __name__ == "__main__":
    _client(sys.argv[1], sys.argv[2], int(sys.argv[3]))
