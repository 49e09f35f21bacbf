"""The WebSocket client against hostile servers, over loopback: a server gone for good, pushes
that do not decode, snapshots that stay crossed, decompression bombs and DEBUG logs that must not
show the auth frame."""

from __future__ import annotations

import asyncio
import logging
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal as D
from typing import Any

import hotbit
import pytest
from hotbit import _ws_runtime as rt
from hotbit._signing import ws_auth_signature
from hotbit.errors import ConnectionLost
from support import DOC_KEYS, ws_mock_for

from generator.mock import WsMock

pytestmark = pytest.mark.timeout(30)

API_KEY, SECRET = next(iter(DOC_KEYS.items()))
FAST = hotbit.Backoff(initial=0.01, maximum=0.05, jitter=0.5, reset_after=1.0)


@pytest.fixture
async def server() -> AsyncIterator[WsMock]:
    async with ws_mock_for() as srv:
        yield srv


def depth(
    clean: bool, asks: list[Any] | None = None, bids: list[Any] | None = None
) -> dict[str, Any]:
    book: dict[str, Any] = {}
    if asks is not None:
        book["asks"] = asks
    if bids is not None:
        book["bids"] = bids
    return {"method": "depth.update", "params": [clean, book, "BTCUSDT"], "id": None}


def subscribes(server: WsMock) -> int:
    return sum(r["method"] == "depth.subscribe" for r in server.requests)


async def until(predicate: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


# ------------------------------------------------------------------ giving up on reconnect


async def test_giving_up_ends_events_and_iterators_raise_connection_lost(
    server: WsMock, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[hotbit.Event] = []
    backoff = hotbit.Backoff(initial=0.01, maximum=0.02, max_attempts=2)
    ws = hotbit.WebSocketClient(server.url, backoff=backoff, on_event=events.append)
    await ws.connect()
    stream = ws.events()
    prices = ws.price_subscribe("BTCBCC")
    await asyncio.wait_for(anext(prices), 5)
    collected = asyncio.create_task(asyncio.wait_for(_all(stream), 5))
    await asyncio.sleep(0)
    await server.__aexit__(None, None, None)  # gone for good
    with pytest.raises(ConnectionLost):
        while True:
            await asyncio.wait_for(anext(prices), 5)
    seen = await collected  # events() ends
    assert [e.attempt for e in seen if isinstance(e, hotbit.Reconnecting)] == [1, 2]
    assert not ws.connected
    with pytest.raises(ConnectionLost):
        await ws.price_query("BTCBCC")
    with pytest.raises(ConnectionLost):
        await asyncio.wait_for(anext(ws.price_subscribe("BTCBCC")), 5)
    await ws.close()  # still fine
    assert "RecursionError" not in caplog.text and "destroyed" not in caplog.text


async def _all(stream: AsyncIterator[hotbit.Event]) -> list[hotbit.Event]:
    return [event async for event in stream]


# ------------------------------------------------------------------ undecodable pushes


async def test_undecodable_depth_update_is_a_gap_and_the_book_resyncs(server: WsMock) -> None:
    events: list[hotbit.Event] = []
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST, on_event=events.append) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        for _ in range(4):
            await asyncio.wait_for(anext(live), 5)
        assert live.synced and live.resyncs == 0
        server.send_recorded_pushes = False
        before = subscribes(server)
        best = live.book.best_ask()
        assert best is not None
        # deletes the best ask, but one level does not decode: the update cannot be applied
        await server.push(depth(False, asks=[[str(best[0]), "0"], ["not a price", "1"]]))
        following = asyncio.create_task(anext(live))
        await until(lambda: subscribes(server) > before)  # the book asked for a snapshot
        assert not live.synced  # reading it now is visibly stale
        await server.push(depth(True, asks=[["16600", "1"]], bids=[["16500", "2"]]))
        book = await asyncio.wait_for(following, 5)
        assert book.asks() == [(D(16600), D(1))] and book.bids() == [(D(16500), D(2))]
        assert live.resyncs == 1 and live.synced
    gaps = [e for e in events if isinstance(e, hotbit.Gap)]
    assert [g.subscription.split()[0] for g in gaps] == ["depth.subscribe"]
    assert any(isinstance(e, hotbit.FrameError) for e in events)


async def test_undecodable_order_update_is_a_gap_for_its_subscription(server: WsMock) -> None:
    events: list[hotbit.Event] = []
    async with (
        hotbit.WebSocketClient(
            server.url, api_key=API_KEY, secret_key=SECRET, backoff=FAST, on_event=events.append
        ) as ws,
        ws.price_subscribe("BTCBCC") as prices,
    ):
        await asyncio.wait_for(anext(prices), 5)
        server.send_recorded_pushes = False
        async with ws.order_subscribe("BTCUSDT") as orders:
            await server.wait_subscribed("order.subscribe")
            await server.push({"method": "order.update", "params": [2, {"id": "x"}], "id": None})
            assert await asyncio.wait_for(orders.next_or_gap(), 5) is None  # not silently lost
            assert orders.last_gap == "lost"
        assert await ws.server_time() == 1511941406
    assert [e.subscription.split()[0] for e in events if isinstance(e, hotbit.Gap)] == [
        "order.subscribe"
    ]


# ------------------------------------------------------------------ resubscribe storm


async def test_a_book_that_stays_crossed_resubscribes_at_the_backoff_pace(server: WsMock) -> None:
    backoff = hotbit.Backoff(initial=0.2, maximum=1.0, jitter=0.0, reset_after=30.0)
    async with (
        hotbit.WebSocketClient(server.url, backoff=backoff) as ws,
        ws.order_book("BTCUSDT", 100, "0.01") as live,
    ):
        server.results["depth.subscribe"] = {"status": "success"}
        server.send_recorded_pushes = False
        crossed = depth(True, asks=[["1", "1"]], bids=[["2", "1"]])

        async def hostile() -> None:  # answers every subscribe with a crossed snapshot
            seen = 0
            while True:
                if subscribes(server) > seen:
                    seen = subscribes(server)
                    await server.push(crossed)
                await asyncio.sleep(0.001)

        async def read() -> None:
            async for _ in live:
                pass

        task, reader = asyncio.create_task(hostile()), asyncio.create_task(read())
        await asyncio.sleep(1.5)
        task.cancel()
        reader.cancel()
        # 0.2 + 0.4 + 0.8 s of pauses fit in 1.5 s: a handful, not thousands
        assert 2 <= subscribes(server) <= 6, subscribes(server)
        assert not live.synced


# ------------------------------------------------------------------ decompression bomb


def _bomb(size: int) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"0" * 2**20
    parts = [packer.compress(b'{"method":"price.update","params":["BTCBCC","')]
    parts += [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, packer.compress(b'"],"id":null}'), packer.flush()])


def test_inflation_stops_at_the_limit() -> None:
    bomb = _bomb(64 * 2**20)
    assert len(bomb) < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(zlib.error, match="limit"):
            rt.decompress(bomb, "auto", limit=2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, peak  # streaming: never more than the limit (and a bit) in memory
    assert rt.decompress(zlib.compress(b'{"a":1}'), "auto", limit=7) == b'{"a":1}'
    with pytest.raises(zlib.error):
        rt.decompress(zlib.compress(b'{"a":1}'), "auto", limit=6)
    with pytest.raises(zlib.error):  # truncated, as before
        rt.decompress(zlib.compress(b'{"a":1}')[:-3], "zlib")


async def test_a_gzip_bomb_is_a_frame_error_and_the_connection_lives(server: WsMock) -> None:
    events: list[hotbit.Event] = []
    async with (
        hotbit.WebSocketClient(
            server.url,
            backoff=FAST,
            on_event=events.append,
            connect_options={"max_size": 2**20},
        ) as ws,
        ws.price_subscribe("BTCBCC") as prices,
    ):
        await asyncio.wait_for(anext(prices), 5)
        await server.inject(_bomb(64 * 2**20))  # 64 KiB on the wire, 64 MiB inflated
        await until(lambda: any(isinstance(e, hotbit.FrameError) for e in events))
        (error,) = [e for e in events if isinstance(e, hotbit.FrameError)]
        assert "limit" in error.error
        assert await ws.server_time() == 1511941406
        assert not [e for e in events if isinstance(e, hotbit.Disconnected)]


# ------------------------------------------------------------------ secrets in DEBUG logs


@pytest.fixture
def every_log() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger at DEBUG (the mock's own server logger excepted)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith("websockets.server"):
                records.append(record)

    handler, root = Keep(logging.DEBUG), logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "websockets", "hotbit")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _fragments(secret: str, size: int = 6) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


async def test_auth_frames_never_reach_any_log(
    server: WsMock, every_log: list[logging.LogRecord]
) -> None:
    async with hotbit.WebSocketClient(
        server.url, api_key=API_KEY, secret_key=SECRET, backoff=FAST
    ) as ws:
        assert await ws.server_time() == 1511941406
        server.kill()  # authenticates again on the reconnect
        await server.wait_connections(2)
        await until(lambda: ws.connected and server.connections == 2)
        assert await ws.server_time() == 1511941406
    text = "\n".join(record.getMessage() for record in every_log)
    assert "> TEXT" in text  # websockets did log its frames at DEBUG
    assert "redacted" in text
    signature = ws_auth_signature(API_KEY, SECRET)
    leaked = {f for f in _fragments(API_KEY) | _fragments(signature) if f in text}
    assert leaked == set()


# ------------------------------------------------------------------ several books, one connection


def market_depth(market: str, clean: bool, asks: list[Any], bids: list[Any]) -> dict[str, Any]:
    return {
        "method": "depth.update",
        "params": [clean, {"asks": asks, "bids": bids}, market],
        "id": None,
    }


async def test_one_live_book_per_market_on_one_connection(server: WsMock) -> None:
    server.send_recorded_pushes = False
    events: list[hotbit.Event] = []
    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST, on_event=events.append) as ws,
        ws.market_book(("BTCUSDT", 100, "0.01")) as btc,
        ws.market_book(("ETHUSDT", 100, "0.01")) as eth,
    ):
        conn = await server.wait_subscribed(
            "depths.subscribe", [["BTCUSDT", 100, "0.01"], ["ETHUSDT", 100, "0.01"]]
        )
        assert not btc.synced and not eth.synced
        await server.push(market_depth("ETHUSDT", True, [["2001", "1"]], [["1999", "1"]]))
        await server.push(market_depth("BTCUSDT", True, [["30001", "1"]], [["29999", "2"]]))
        await server.push(market_depth("ETHUSDT", False, [["2001", "0"], ["2002", "3"]], []))
        assert (await asyncio.wait_for(anext(btc), 5)).best_bid() == (D(29999), D(2))
        eth_book = await asyncio.wait_for(anext(eth), 5)
        assert eth_book.market == "ETHUSDT" and eth_book.best_ask() == (D(2001), D(1))
        eth_book = await asyncio.wait_for(anext(eth), 5)
        assert eth_book.asks() == [(D(2002), D(3))]  # the ETH update did not touch BTC
        assert btc.book.asks() == [(D(30001), D(1))] and btc.synced and eth.synced
        assert server.connections == 1 and len(conn.requests) >= 1
        # a gap: both books are visibly stale until their fresh snapshots
        server.kill()
        await server.wait_subscribed("depths.subscribe", connection=2)
        following = asyncio.create_task(anext(btc))
        await server.push(market_depth("BTCUSDT", True, [["31000", "1"]], [["30000", "1"]]))
        assert (await asyncio.wait_for(following, 5)).best_ask() == (D(31000), D(1))
        assert btc.synced and not eth.synced
        assert eth.book.asks() == [(D(2002), D(3))]  # stale, and `synced` says so
    gaps = {e.subscription.split()[0] for e in events if isinstance(e, hotbit.Gap)}
    assert gaps == {"depths.subscribe"}


# ------------------------------------------------------------------ deals replayed on reconnect


async def test_deals_replayed_after_a_reconnect_are_dropped_by_id(server: WsMock) -> None:
    def deal(ident: int) -> dict[str, Any]:
        return {"id": ident, "time": 1.0, "price": "8000", "amount": "1", "type": "buy"}

    async with (
        hotbit.WebSocketClient(server.url, backoff=FAST) as ws,
        ws.deals_subscribe("BTCUSDT") as deals,
    ):
        first = await asyncio.wait_for(anext(deals), 5)  # the recorded pushes on subscribe
        ids = [d.id for d in first.deals]
        assert ids == [3282937373, 3282937370]
        server.kill()  # the re-subscribe replays the same recorded deals
        await server.wait_subscribed("deals.subscribe", connection=2)
        push = {
            "method": "deals.update",
            "params": ["BTCUSDT", [deal(ids[0]), deal(9)]],
            "id": None,
        }
        await until(lambda: server.conns and server.conns[0].number == 2)
        await asyncio.sleep(0.1)  # the replay went out first
        await server.push(push)
        seen: list[int] = []
        while 9 not in seen:
            seen += [d.id for d in (await asyncio.wait_for(anext(deals), 5)).deals]
        assert seen.count(9) == 1 and not set(seen) & set(ids)  # nothing delivered twice


async def test_closing_ends_a_paced_resync_at_once(server: WsMock) -> None:
    backoff = hotbit.Backoff(initial=30.0, maximum=30.0, jitter=0.0, reset_after=60.0)
    ws = hotbit.WebSocketClient(server.url, backoff=backoff)
    await ws.connect()
    live = ws.order_book("BTCUSDT", 100, "0.01")
    await live.__aenter__()
    await asyncio.wait_for(anext(live), 5)
    server.send_recorded_pushes = False
    crossed = depth(True, asks=[["1", "1"]], bids=[["2", "1"]])
    before = subscribes(server)

    async def read() -> None:
        async for _ in live:
            pass

    reader = asyncio.create_task(read())
    await server.push(crossed)  # the first resync goes out at once
    await until(lambda: subscribes(server) == before + 1)
    await server.push(crossed)  # the second would wait 30 s
    await until(lambda: live.resyncs == 2)
    await asyncio.sleep(0.1)
    assert subscribes(server) == before + 1 and not reader.done()
    started = asyncio.get_running_loop().time()
    await ws.close()  # ... unless the client closes
    await asyncio.wait_for(reader, 5)  # the loop ended
    assert asyncio.get_running_loop().time() - started < 2
