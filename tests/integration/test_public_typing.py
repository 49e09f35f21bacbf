"""`mypy --strict` sees the SDK's public surface: the example bot in docs/ passes with public names
only, and a typo in a root name (no `Any` module `__getattr__`) or a wrong type is an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import ROOT

MISUSE = """\
from decimal import Decimal

import hotbit
from hotbit import models


async def main(ws: hotbit.WebSocketClient) -> None:
    hotbit.Clinet()
    backoff: hotbit.Backoff = hotbit.Backoff(max_attempts="3")
    book: hotbit.LiveOrderBook = ws.order_book("BTCUSDT", 7, "0.01")
    event: hotbit.Event = hotbit.Gap("depth.subscribe", "lost")
    synced: bool = book.synced


def wait(exc: hotbit.RateLimitError) -> float | None:
    return exc.retry_after


def order(client: hotbit.Client, update: models.OrderUpdate) -> Decimal:
    placed = client.order_put_limit(market="ETHBTC", side=models.Side.SELL, amount="1", price="2")
    client.order_book(market="ETH/BTC", side=3, offset=0, limit=10)
    if update.event == models.OrderUpdateEvent.FINISH and update.order.side == models.Side.SELL:
        status = placed.status
        if isinstance(status, models.OrderStatus) and status & models.OrderStatus.CANCELLED:
            return placed.amount - placed.left
    return update.order.amount - update.order.left
"""


def test_mypy_strict_on_the_example_bot_and_on_misuse(tmp_path: Path) -> None:
    misuse = tmp_path / "misuse.py"
    misuse.write_text(MISUSE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "--no-error-summary", str(ROOT / "docs" / "example_bot.py"), str(misuse)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "MYPYPATH": str(ROOT / "generated")},
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert [line for line in lines if "example_bot.py" in line] == [], proc.stdout
    found = {int(line.split(":")[1]) for line in lines if "misuse.py" in line}
    # Clinet, max_attempts="3", limit 7, side 3 (the codes are 1 and 2)
    assert found == {8, 9, 10, 21}, proc.stdout
