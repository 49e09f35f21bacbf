"""The generated order book: the data structure, the live book over the replay server, resyncs.

The book is rendered only when the spec's depth subscribe message carries `x-order-book`
(docs/spec-extensions.md, "Proposed additions (order book)").
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import hotbit
import msgspec
import pytest
from hotbit import _ws_runtime as rt
from support import ws_mock_for

from generator.mock import WsMock

pytestmark = pytest.mark.timeout(30)

D = Decimal
FAST = rt.Backoff(initial=0.01, maximum=0.05, reset_after=1.0)


HAS_BOOK = hasattr(hotbit, "OrderBook") and hasattr(hotbit.WebSocketClient, "order_book")
needs_book = pytest.mark.skipif(
    not HAS_BOOK, reason="no x-order-book in the spec (see the test above)"
)


def test_the_spec_declares_an_order_book() -> None:
    """The one test that fails, the others skip, while the spec lacks x-order-book."""
    assert hasattr(hotbit.WebSocketClient, "order_book"), (
        "no order_book method: the depth subscribe message needs x-order-book (docs/spec-extensions.md)"
    )
    assert hasattr(hotbit, "OrderBook"), "hotbit.OrderBook missing: export it from the package"


# ------------------------------------------------------------------ the data structure


@needs_book
def test_snapshot_updates_and_deletes() -> None:
    book = hotbit.OrderBook("BTCUSDT")
    book.apply(
        True,
        asks=[(D("101"), D("1")), (D("102"), D("2"))],
        bids=[(D("99"), D("3")), (D("100"), D("4"))],
    )
    assert book.best_bid() == (D("100"), D("4")) and book.best_ask() == (D("101"), D("1"))
    book.apply(
        False, asks=[(D("101.00"), D("0")), (D("100.5"), D("7"))], bids=[(D("99"), D("0E-8"))]
    )
    assert book.asks() == [(D("100.5"), D("7")), (D("102"), D("2"))]
    assert book.bids() == [(D("100"), D("4"))]
    assert book.top(1) == ([(D("100"), D("4"))], [(D("100.5"), D("7"))])
    assert book.spread() == D("0.5") and not book.crossed() and len(book) == 3
    book.apply(False, bids=[(D("100.5"), D("1"))])
    assert book.crossed()
    book.apply(True, asks=[(D("5"), D("1"))])
    assert book.bids() == [] and book.asks() == [(D("5"), D("1"))] and book.best_bid() is None
    book.apply(False, asks=[(D("6"), D("0"))])  # deleting a missing level is a no-op
    assert len(book) == 1


@needs_book
def test_against_a_naive_model() -> None:
    rng = random.Random(7)
    book, asks, bids = hotbit.OrderBook(), {}, {}
    for _ in range(3000):
        side = rng.choice((asks, bids))
        price, amount = D(rng.randint(1, 60)) / 4, D(rng.choice([0, 0, 1, 2, 5])) / 2
        (book.set_ask if side is asks else book.set_bid)(price, amount)
        if amount:
            side[price] = amount
        else:
            side.pop(price, None)
        assert book.asks() == sorted(asks.items())
        assert book.bids() == sorted(bids.items(), reverse=True)
        assert book.bids(3) == sorted(bids.items(), reverse=True)[:3]


@needs_book
def test_a_feed_of_decoded_pushes_keeps_best_bid_ask_right_after_each_message() -> None:
    """20,000 decoded depth pushes through the feed, best bid/ask read after every message and
    compared with a plain dict book. The rate (200k level updates/s) is measured in
    bench/orderbook.py, not asserted here."""
    from hotbit import ws_models
    from hotbit.orderbook import ORDER_BOOK_FEED

    rng = random.Random(1)
    decoder = msgspec.json.Decoder(ws_models.DepthUpdate, strict=False)

    def level(price: float) -> list[str]:
        return [f"{price:.2f}", rng.choice(["0", "0.5", "1.25", "3"])]

    snapshot = {
        "asks": [level(16000 + i / 100) for i in range(1, 101)],
        "bids": [level(16000 - i / 100) for i in range(100)],
    }
    frames = [msgspec.json.encode([True, snapshot, "BTCUSDT"])]
    for _ in range(20_000):
        update = {
            "asks": [level(16000 + rng.randint(1, 150) / 100) for _ in range(5)],
            "bids": [level(16000 - rng.randint(0, 149) / 100) for _ in range(5)],
        }
        frames.append(msgspec.json.encode([False, update, "BTCUSDT"]))
    book = hotbit.OrderBook()
    asks: dict[Decimal, Decimal] = {}
    bids: dict[Decimal, Decimal] = {}
    for index, frame in enumerate(frames):
        ORDER_BOOK_FEED.apply(book, decoder.decode(frame))
        raw = msgspec.json.decode(frame)[1]
        for side, levels in ((asks, raw["asks"]), (bids, raw["bids"])):
            if index == 0:
                side.clear()
            for price, amount in levels:
                if Decimal(amount):
                    side[Decimal(price)] = Decimal(amount)
                else:
                    side.pop(Decimal(price), None)
        best_ask = min(asks.items()) if asks else None
        best_bid = max(bids.items()) if bids else None
        assert book.best_ask() == best_ask and book.best_bid() == best_bid, index
    assert book.market == "BTCUSDT"
    assert book.asks() == sorted(asks.items())
    assert book.bids() == sorted(bids.items(), reverse=True)


# ------------------------------------------------------------------ live over the replay server


@pytest.fixture
async def server() -> AsyncIterator[WsMock]:
    async with ws_mock_for() as srv:
        yield srv


def depth(
    clean: bool,
    asks: list[list[str]] | None = None,
    bids: list[list[str]] | None = None,
    market: str = "BTCUSDT",
) -> dict[str, Any]:
    book: dict[str, Any] = {}
    if asks is not None:
        book["asks"] = asks
    if bids is not None:
        book["bids"] = bids
    return {"method": "depth.update", "params": [clean, book, market], "id": None}


@needs_book
async def test_recorded_depth_session_builds_the_book(server: WsMock) -> None:
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        states = [await asyncio.wait_for(anext(live), 5) for _ in range(4)]
        book = states[-1]
        assert book is live.book and book.market == "BTCUSDT"
        assert book.asks() == [
            (D("16541.30"), D("0.2500")),
            (D("16541.50"), D("1.2000")),
            (D("16542.00"), D("0.1500")),
        ]
        assert book.bids() == [
            (D("16541.23"), D("0.2875")),
            (D("16541.10"), D("1.0000")),
            (D("16540.00"), D("0.7500")),
        ]
        assert live.resyncs == 0


@needs_book
async def test_gap_after_reconnect_resyncs_from_the_new_snapshot(server: WsMock) -> None:
    events: list[rt.Event] = []
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST, on_event=events.append) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        for _ in range(4):
            await asyncio.wait_for(anext(live), 5)
        server.kill()  # the re-subscribe replays the recorded snapshot and updates
        book = await asyncio.wait_for(anext(live), 5)
        assert book.best_ask() == (
            D("16541.24"),
            D("0.4120"),
        )  # the fresh snapshot, not stale state
        assert live.resyncs == 1
    assert [e.reason for e in events if isinstance(e, rt.Resync)] == [
        "gap: reconnected, waiting for a snapshot"
    ]
    assert any(isinstance(e, rt.Gap) for e in events)


@needs_book
async def test_update_without_snapshot_re_subscribes(server: WsMock) -> None:
    events: list[rt.Event] = []
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST, on_event=events.append) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        for _ in range(4):
            await asyncio.wait_for(anext(live), 5)
        server.send_recorded_pushes = False
        server.kill()
        conn = await server.wait_subscribed("depth.subscribe", connection=2)
        following = asyncio.create_task(anext(live))
        await server.push(depth(False, asks=[["16600", "1"]]))  # an update, but no snapshot came
        async with asyncio.timeout(5):
            while sum(r["method"] == "depth.subscribe" for r in conn.requests) < 2:
                await asyncio.sleep(0.01)
        await server.push(depth(True, asks=[["16601", "2"]], bids=[["16599", "3"]]))
        book = await asyncio.wait_for(following, 5)
        assert book.asks() == [(D("16601"), D("2"))] and book.bids() == [(D("16599"), D("3"))]
        assert live.resyncs == 2
    reasons = [e.reason for e in events if isinstance(e, rt.Resync)]
    assert reasons == [
        "gap: reconnected, waiting for a snapshot",
        "update without a snapshot (missed pushes)",
    ]


@needs_book
async def test_crossed_book_re_subscribes(server: WsMock) -> None:
    events: list[rt.Event] = []
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST, on_event=events.append) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        for _ in range(4):
            await asyncio.wait_for(anext(live), 5)
        server.send_recorded_pushes = False
        subscribes = sum(r["method"] == "depth.subscribe" for r in server.requests)
        await server.push(depth(False, bids=[["16545", "1"]]))  # bid above the best ask
        await server.push(depth(False, bids=[["16546", "1"]]))  # ignored until a snapshot
        await server.push(depth(True, asks=[["2", "1"]], bids=[["1", "1"]]))
        book = await asyncio.wait_for(anext(live), 5)
        assert book.top(5) == ([(D("1"), D("1"))], [(D("2"), D("1"))])
        assert live.resyncs == 1
        assert sum(r["method"] == "depth.subscribe" for r in server.requests) == subscribes + 1
    assert [e.reason.split(":")[0] for e in events if isinstance(e, rt.Resync)] == ["crossed book"]


@needs_book
async def test_dropped_pushes_resync(server: WsMock) -> None:
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST) as ws,
        ws.order_book("BTCUSDT", 100, "0.01", maxsize=4) as live,
    ):
        await asyncio.wait_for(anext(live), 5)
        server.send_recorded_pushes = False
        for i in range(10):  # overflow the queue of 4
            await server.push(depth(False, asks=[[f"1660{i}", "1"]]))
        assert await ws.server_ping() == "pong"
        assert live.subscription.dropped > 0
        subscribes = sum(r["method"] == "depth.subscribe" for r in server.requests)
        await server.push(depth(True, asks=[["3", "1"]], bids=[["2", "1"]]))
        book = await asyncio.wait_for(anext(live), 5)
        assert book.best_ask() == (D("3"), D("1")) and live.resyncs == 1
        assert sum(r["method"] == "depth.subscribe" for r in server.requests) == subscribes + 1
