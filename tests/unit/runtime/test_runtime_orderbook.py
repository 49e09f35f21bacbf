"""generator/runtime/_orderbook.py: the book structure and the live book's resync rules."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from generator.runtime._orderbook import BookFeed, LiveOrderBook, OrderBook, get_path, levels


def test_levels_sorted_best_first_and_zero_deletes() -> None:
    book = OrderBook("ETHBTC")
    book.apply(True, asks=[(D(3), D(1)), (D(2), D(5))], bids=[(D(1), D(2)), (D("1.5"), D(1))])
    assert book.best_ask() == (D(2), D(5)) and book.best_bid() == (D("1.5"), D(1))
    assert book.asks() == [(D(2), D(5)), (D(3), D(1))]
    assert book.bids(1) == [(D("1.5"), D(1))]
    assert book.spread() == D("0.5") and not book.crossed() and len(book) == 4
    book.apply(False, asks=[(D(2), D(0))], bids=[(D(9), D(0))])  # delete; unknown: no-op
    assert book.best_ask() == (D(3), D(1)) and len(book) == 3
    book.set_bid(D(3), D(1))
    assert book.crossed()
    assert book.top(5) == (
        [(D(3), D(1)), (D("1.5"), D(1)), (D(1), D(2))],
        [(D(3), D(1))],
    )
    book.apply(True)
    assert len(book) == 0 and book.spread() is None and "ETHBTC" in repr(book)


def test_feed_helpers() -> None:
    class Msg:
        class inner:
            clean = True

    assert get_path(Msg, ("inner", "clean")) is True and get_path(Msg, ("nope", "x")) is None
    assert levels([1]) == [1] and levels(None) == []


class FakeSubscription:
    """What LiveOrderBook uses of a Subscription: items (None = a gap), dropped, resync."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.dropped = 0
        self.last_gap = "reconnect"
        self.resyncs: list[tuple[str, bool]] = []

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...

    async def next_or_gap(self) -> Any:
        return self.items.pop(0)

    async def resync(self, reason: str, *, send: bool = True) -> None:
        self.resyncs.append((reason, send))


FEED = BookFeed(
    clean=lambda m: m["clean"],
    apply=lambda book, m: book.apply(m["clean"], m.get("asks", ()), m.get("bids", ())),
)


async def test_live_book_waits_for_a_snapshot_and_resyncs() -> None:
    snapshot = {"clean": True, "asks": [(D(2), D(1))], "bids": [(D(1), D(1))]}
    update = {"clean": False, "asks": [(D("2.5"), D(1))]}
    crossing = {"clean": False, "bids": [(D(3), D(1))]}
    sub = FakeSubscription([update, snapshot, update, None, update, snapshot, crossing, snapshot])
    live = LiveOrderBook(sub, FEED)  # type: ignore[arg-type]
    book = await anext(live)  # the update before any snapshot asked for one
    assert sub.resyncs == [("update without a snapshot (missed pushes)", True)]
    assert book.asks() == [(D(2), D(1))]
    assert (await anext(live)).asks() == [(D(2), D(1)), (D("2.5"), D(1))]
    book = await anext(live)  # a gap: waits for the snapshot the engine asks for itself
    assert sub.resyncs[1] == ("gap: reconnected, waiting for a snapshot", False)
    assert sub.resyncs[2][0].startswith("update without a snapshot")
    assert book.asks() == [(D(2), D(1))]
    book = await anext(live)  # crossed: re-subscribes, the next snapshot is yielded
    assert sub.resyncs[3][0].startswith("crossed book") and not book.crossed()
    assert live.resyncs == 4


async def test_live_book_after_a_lost_push_asks_for_a_snapshot_once() -> None:
    snapshot = {"clean": True, "asks": [(D(2), D(1))], "bids": [(D(1), D(1))]}
    update = {"clean": False, "asks": [(D("2.5"), D(1))]}
    fresh = {"clean": True, "asks": [(D(3), D(1))], "bids": [(D(1), D(1))]}
    sub = FakeSubscription([snapshot, None, update, update, fresh])
    sub.last_gap = "lost"  # a push did not decode: nobody re-subscribed yet
    live = LiveOrderBook(sub, FEED)  # type: ignore[arg-type]
    assert not live.synced
    await anext(live)
    assert live.synced and sub.resyncs == []
    book = await anext(live)
    assert sub.resyncs == [("gap: a push did not decode", True)]  # once, not per update
    assert book.asks() == [(D(3), D(1))] and live.synced and live.resyncs == 1
