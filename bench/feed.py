"""A deterministic depth.update stream: one clean snapshot, then small incremental updates.

Shaped like the recorded pushes (tests/recordings/ws/depth_subscribe.json): `params` is
`[clean, {"asks": [[price, amount], ...], "bids": [...]}, market]`, amount "0" deletes a level, an
unchanged side is absent. Used by the WebSocket throughput and order-book benchmarks.
"""

from __future__ import annotations

from typing import Any

MARKET = "BTCUSDT"
TICK = 1  # in cents


def _price(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _amount(i: int) -> str:
    return f"{(i * 7919) % 20000 / 10000 + 0.0001:.4f}"


def snapshot(levels: int = 100, mid: int = 1654123) -> dict[str, Any]:
    asks = [[_price(mid + 1 + i), _amount(i)] for i in range(levels)]
    bids = [[_price(mid - i), _amount(i + levels)] for i in range(levels)]
    return {
        "method": "depth.update",
        "params": [True, {"asks": asks, "bids": bids}, MARKET],
        "id": None,
    }


def updates(
    count: int, levels: int = 100, mid: int = 1654123, per_update: int = 4
) -> list[dict[str, Any]]:
    """`count` incremental pushes of 1..2*per_update-1 levels each (mean `per_update`), touching
    prices near the top of the book: new levels, changed amounts and deletions."""
    out = []
    state = 12345
    for n in range(count):
        sides: dict[str, list[list[str]]] = {}
        k = 1 + n % (2 * per_update - 1)
        for j in range(k):
            state = (state * 1103515245 + 12345) & 0x7FFFFFFF
            side = "asks" if state & 1 else "bids"
            depth = (state >> 1) % (levels // 2)
            cents = mid + 1 + depth if side == "asks" else mid - depth
            amount = "0" if (state >> 8) % 5 == 0 else _amount(state >> 3)
            sides.setdefault(side, []).append([_price(cents), amount])
        out.append({"method": "depth.update", "params": [False, sides, MARKET], "id": None})
    return out


def stream(count: int, levels: int = 100) -> list[dict[str, Any]]:
    """A snapshot followed by `count - 1` updates."""
    return [snapshot(levels), *updates(count - 1, levels)]


def level_count(push: dict[str, Any]) -> int:
    return sum(len(v) for v in push["params"][1].values())
