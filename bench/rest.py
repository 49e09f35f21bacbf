"""4. REST overhead: calls per second of `Client.market_last` and the signed `balance_query` against
raw `httpx` + `orjson` doing the same requests, on the same loopback server.

The server (`bench/server.py http`) runs in its own process and answers from pre-built bytes, so it
is not the bottleneck. Both sides use one `httpx.Client` with httpx's default pool (keep-alive, one
connection in use), the same headers and the same server. Our client runs with `rate_limit=False`
(its token bucket would cap it at the exchange's 10 requests per second). The raw loop does what
the SDK does, by hand: build the query/form, MD5-sign the form for `balance_query`, send, check the
status and the envelope's `error`, and turn the decimal strings into `Decimal`.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import orjson

from bench._common import Report, Row, paired
from bench.server import Server

API_KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"
SECRET_KEY = "de8063ea6e99bc967ba6395d06fabf50"
LIMIT = 0.95  # issue 14


def _raw_calls(
    http: httpx.Client, base: str, headers: dict[str, str]
) -> dict[str, Callable[[], Any]]:
    D = Decimal
    loads = orjson.loads
    last_url = base + "/p1/market.last"
    balance_url = base + "/p2/balance.query"

    def market_last() -> Decimal:
        r = http.get(last_url, params=[("market", "ETH/BTC")], headers=headers)
        if r.status_code >= 400:
            raise RuntimeError(r.status_code)
        doc = loads(r.content)
        if doc["error"] is not None:
            raise RuntimeError(doc["error"])
        return D(doc["result"])

    def balance_query() -> dict[str, tuple[Decimal, Decimal]]:
        params = {"assets": '["BTC","ETH"]', "api_key": API_KEY}
        canonical = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        params["sign"] = (
            hashlib.md5(f"{canonical}&secret_key={SECRET_KEY}".encode()).hexdigest().upper()
        )
        r = http.post(balance_url, data=params, headers=headers)
        if r.status_code >= 400:
            raise RuntimeError(r.status_code)
        doc = loads(r.content)
        if doc["error"] is not None:
            raise RuntimeError(doc["error"])
        return {k: (D(v["available"]), D(v["freeze"])) for k, v in doc["result"].items()}

    return {"market_last": market_last, "balance_query": balance_query}


def _rate(fn: Callable[[], Any], seconds: float) -> tuple[float, float]:
    """Calls per wall second and per CPU second of this process (the time it was not scheduled,
    and the server's time, do not count)."""
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    deadline = t0 + seconds
    while True:
        for _ in range(10):
            fn()
        n += 10
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - t0), n / max(time.process_time() - c0, 1e-9)


def run(report: Report, rounds: int = 15, windows: int = 3, seconds: float = 0.15) -> None:
    """Each round: `windows` windows of `seconds` per function, interleaved in a random order; a
    round keeps each function's best window (other processes on a shared machine only ever slow
    a window down); the ratio is the median of the per-round ratios (ours and raw measured in the
    same round, so under the same load)."""
    import hotbit
    from hotbit import _constants as C

    print(
        f"[rest] calls/s: {rounds} rounds, each the best of {windows} x {seconds:.2f} s windows per "
        "client (interleaved); ratio = median of the per-round ratios; loopback server",
        flush=True,
    )
    with Server("http") as port:
        base = f"http://127.0.0.1:{port}/v2"
        headers = {"user-agent": C.USER_AGENT, "accept": "application/json"}
        client = hotbit.Client(API_KEY, SECRET_KEY, base_url=base, rate_limit=False)
        raw_http = httpx.Client()
        try:
            raw = _raw_calls(raw_http, base, headers)
            fns: dict[str, Callable[[], Any]] = {
                "ours market_last": lambda: client.market_last(market="ETH/BTC"),
                "raw market_last": raw["market_last"],
                "ours balance_query": lambda: client.balance_query(assets=["BTC", "ETH"]),
                "raw balance_query": raw["balance_query"],
            }
            # Same answers, and warm connections.
            assert (
                client.market_last(market="ETH/BTC")
                == raw["market_last"]()
                == Decimal("0.07413600")
            )
            ours_balance = client.balance_query(assets=["BTC", "ETH"])
            assert {k: (v.available, v.freeze) for k, v in ours_balance.items()} == raw[
                "balance_query"
            ]()
            for fn in fns.values():
                _rate(fn, 0.05)
            rates: dict[str, list[float]] = {k: [] for k in fns}
            cpu: dict[str, list[float]] = {k: [] for k in fns}
            names = list(fns)
            shuffle = random.Random(7).shuffle
            for _ in range(rounds):
                best = dict.fromkeys(names, 0.0)
                best_cpu = dict.fromkeys(names, 0.0)
                for _ in range(windows):
                    shuffle(names)
                    for name in names:
                        wall, per_cpu = _rate(fns[name], seconds)
                        best[name] = max(best[name], wall)
                        best_cpu[name] = max(best_cpu[name], per_cpu)
                for name in names:
                    rates[name].append(best[name])
                    cpu[name].append(best_cpu[name])
        finally:
            client.close()
            raw_http.close()
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print(
            f"  {k:20} {v:8,.0f} calls/s (min {min(rates[k]):,.0f}, max {max(rates[k]):,.0f}); "
            f"{statistics.median(cpu[k]):,.0f} per CPU second",
            flush=True,
        )
    for op, note in (
        ("market_last", "rate_limit=False"),
        ("balance_query", "signed (MD5); rate_limit=False"),
    ):
        wall_ratio, wall_spread = paired(rates[f"ours {op}"], rates[f"raw {op}"])
        ratio, spread = paired(cpu[f"ours {op}"], cpu[f"raw {op}"])
        print(f"  {op} per wall second: {wall_spread}", flush=True)
        print(f"  {op} per CPU second:  {spread}", flush=True)
        report.add(
            Row.rate_ratio(
                f"REST {op} calls/s",
                med[f"ours {op}"],
                med[f"raw {op}"],
                "raw httpx",
                LIMIT,
                "/s",
                note=f"{note}; ratio = median of the per-round ratios of calls per client CPU "
                f"second ({spread}); per wall second {wall_ratio:.2f} ({wall_spread})",
                ratio=ratio,
            )
        )
