"""A small trading bot on the generated SDK: only public names, checked with `mypy --strict`.

It reads market data over REST, keeps a live order book over the WebSocket, places a limit order
and cancels it. Run it against the mock (`python -m generator mock ...`) or the exchange:

    python docs/example_bot.py --rest http://127.0.0.1:8080 --ws ws://127.0.0.1:8081/ \
        --api-key KEY --secret-key SECRET
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import hotbit
from hotbit import models

log = logging.getLogger("example_bot")


@dataclass
class Report:
    """What one run saw, for the caller (and the test that runs this bot against the mock)."""

    last_price: Decimal | None = None
    best_bid: Decimal | None = None
    best_ask: Decimal | None = None
    order_id: int | None = None
    filled: Decimal | None = None  # of our buy order
    cancelled: bool = False
    events: list[str] = field(default_factory=list)


def on_event(report: Report, event: hotbit.Event) -> None:
    # Every connection event is a frozen dataclass; a match covers the ones a bot acts on.
    match event:
        case hotbit.Gap(subscription=name, reason=reason):
            log.warning("pushes of %s may be missing: %s", name, reason)
        case hotbit.Resync(subscription=name):
            log.info("%s asked for a fresh snapshot", name)
        case hotbit.Disconnected(reason=reason):
            log.warning("disconnected: %s", reason)
        case _:
            pass
    report.events.append(type(event).__name__)


async def watch_book(ws: hotbit.WebSocketClient, market: str, report: Report) -> None:
    live: hotbit.LiveOrderBook = ws.order_book(market, 100, "0.01")
    async with live:
        async for book in live:  # yields only consistent (synced) books
            bid, ask = book.best_bid(), book.best_ask()
            if bid is not None and ask is not None:
                report.best_bid, report.best_ask = bid[0], ask[0]
                return


async def run(rest_url: str, ws_url: str, api_key: str, secret_key: str) -> Report:
    report = Report()
    backoff = hotbit.Backoff(initial=0.5, maximum=30.0, max_attempts=10)
    async with (
        hotbit.AsyncClient(api_key, secret_key, base_url=rest_url) as rest,
        hotbit.WebSocketClient(
            ws_url, backoff=backoff, on_event=lambda event: on_event(report, event)
        ) as ws,
    ):
        report.last_price = await rest.market_last(market="ETH/BTC")
        await asyncio.wait_for(watch_book(ws, "BTCUSDT", report), 10)
        try:
            # Never retried by the SDK: a retry could place a second order (there is no client
            # order id to de-duplicate it). On a timeout, look the order up instead.
            order = await rest.order_put_limit(
                market="ETHBTC",
                side=models.Side.BUY,  # or the plain code, 2
                amount=Decimal("0.4"),
                price=Decimal("0.08"),
                isfee=0,
            )
        except hotbit.RateLimitError as exc:
            log.warning("rate limited; retry after %s s", exc.retry_after)
            return report
        except hotbit.APIError as exc:
            log.error("order refused: %s", exc)
            return report
        report.order_id = order.id
        if order.side == models.Side.BUY:  # an IntEnum: unknown codes decode too
            report.filled = order.amount - order.left
        cancelled = await rest.order_cancel(market="ETH/BTC", order_id=order.id)
        report.cancelled = cancelled.id == order.id
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rest", required=True)
    parser.add_argument("--ws", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret-key", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    try:
        report = asyncio.run(run(args.rest, args.ws, args.api_key, args.secret_key))
    except hotbit.HotbitError as exc:  # every error the SDK raises
        raise SystemExit(f"bot stopped: {exc}") from None
    print(report)


if __name__ == "__main__":
    main()
