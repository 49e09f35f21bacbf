"""The generated WebSocket client under faults, against the replay server on real sockets.

Dropped connections, garbage frames, unanswered pings, silence, requests pending at a
disconnect, slow consumers, concurrent requests and subscriptions sharing a method.
Backoff and heartbeat settings are short so that every test takes well under a second or two.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import hotbit
import pytest
from hotbit import _ws_runtime as rt
from hotbit.errors import (
    APIError,
    ConnectionLost,
    MissingCredentials,
    ParameterError,
    RequestTimeout,
)
from support import DOC_KEYS, ws_mock_for

from generator.mock import WsMock

pytestmark = pytest.mark.timeout(30)

API_KEY, SECRET = next(iter(DOC_KEYS.items()))
FAST = rt.Backoff(initial=0.01, maximum=0.05, jitter=0.5, reset_after=1.0)


@pytest.fixture
async def server() -> AsyncIterator[WsMock]:
    async with ws_mock_for() as srv:
        yield srv


class Recorder:
    """Collects the client's events; `wait_for` waits for one of a type."""

    def __init__(self) -> None:
        self.events: list[rt.Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: rt.Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type[Any], count: int = 1, timeout: float = 5.0) -> list[Any]:
        async with asyncio.timeout(timeout):
            while len(self.of(kind)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.of(kind)


def client(server: WsMock, events: Recorder | None = None, **kw: Any) -> hotbit.WebSocketClient:
    kw.setdefault("backoff", FAST)
    return hotbit.WebSocketClient(server.url, on_event=events, **kw)


def price(market: str, value: str) -> dict[str, Any]:
    return {"method": "price.update", "params": [market, value], "id": None}


async def next_item(sub: Any, timeout: float = 5.0) -> Any:
    return await asyncio.wait_for(anext(sub), timeout)


# ------------------------------------------------------------------ basics


async def test_concurrent_requests_are_matched_by_id(server: WsMock) -> None:
    server.reply_jitter = 0.05  # replies come back out of order
    async with client(server) as ws:
        calls = [
            call
            for _ in range(25)
            for call in (
                ws.price_query("BTCBCC"),
                ws.server_time(),
                ws.server_ping(),
                ws.depth_query("EOSUSDT", 100, "1"),
            )
        ]
        results = await asyncio.gather(*calls)
    assert results[0::4] == [Decimal("8000.00000000")] * 25
    assert results[1::4] == [1511941406] * 25
    assert results[2::4] == ["pong"] * 25
    assert all(r.asks[0].price == Decimal(8000) for r in results[3::4])
    assert len({r["id"] for r in server.requests}) == len(server.requests) == 100


async def test_error_reply_raises_the_mapped_exception(server: WsMock) -> None:
    from hotbit.errors import InvalidArgument

    async with client(server) as ws:
        with pytest.raises(InvalidArgument) as info:
            await ws.price_query("NOSUCHMARKET")  # recorded: error 1 invalid argument
        assert (info.value.method, info.value.code, info.value.message) == (
            "price.query",
            1,
            "invalid argument",
        )
        assert b"invalid argument" in info.value.raw
        assert await ws.price_query("BTCBCC") == Decimal("8000.00000000")  # the connection is fine


async def test_private_method_without_keys_raises_locally(server: WsMock) -> None:
    async with client(server) as ws:
        with pytest.raises(MissingCredentials):
            await ws.order_query([], 0, 50)
        with pytest.raises(MissingCredentials):
            ws.order_subscribe("BTCUSDT")
    assert not [r for r in server.requests if r["method"].startswith("order.")]


async def test_request_timeout_per_call(server: WsMock) -> None:
    async with client(server) as ws:
        server.silent = True
        with pytest.raises(RequestTimeout):
            await ws.server_time(timeout=0.1)
        server.silent = False
        assert await ws.server_time() == 1511941406


async def test_text_and_zlib_frames_are_decoded(server: WsMock) -> None:
    async with client(server) as ws:
        for compression in ("text", "zlib", "gzip"):
            server.compression = compression
            assert await ws.server_ping() == "pong"
    assert rt.decompress(gzip.compress(b"{}")) == b"{}"
    assert rt.decompress(zlib.compress(b"[]")) == b"[]"
    assert rt.decompress(b'{"a":1}') == b'{"a":1}'
    raw = zlib.compressobj(wbits=-15)
    assert rt.decompress(raw.compress(b"{}") + raw.flush()) == b"{}"


# ------------------------------------------------------------------ faults


async def test_drop_mid_stream_reconnects_reauths_resubscribes(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events, api_key=API_KEY, secret_key=SECRET) as ws:
        prices = ws.price_subscribe("BTCUSDT", "ETHUSDT")
        orders = ws.order_subscribe("BTCUSDT")
        async with prices, orders:
            assert (await next_item(prices)).market == "BTCUSDT"  # recorded pushes
            assert (await next_item(prices)).market == "ETHUSDT"
            assert (await next_item(orders)).order.id == 98712345
            for _ in range(2):
                await next_item(orders)
            server.kill()
            conn = await server.wait_subscribed("order.subscribe", ["BTCUSDT"], connection=2)
            await server.wait_subscribed("price.subscribe", ["BTCUSDT", "ETHUSDT"], connection=2)
            assert conn.authed
            server.send_recorded_pushes = False
            await server.push(price("ETHUSDT", "1200.5"))
            item = await next_item(prices)
            while item.price != Decimal("1200.5"):  # pushes replayed on the re-subscribe come first
                item = await next_item(prices)
            assert item.market == "ETHUSDT"
            await events.wait_for(rt.Resubscribed)
    auths = [r for r in server.requests if r["method"] == "server.auth"]
    assert len(auths) == 2 and server.connections == 2
    assert events.of(rt.Disconnected) and events.of(rt.Reconnecting)
    assert {e.subscription.split()[0] for e in events.of(rt.Gap)} >= {
        "price.subscribe",
        "order.subscribe",
    }
    assert [e.count for e in events.of(rt.Connected)] == [1, 2]


async def test_garbage_frames_are_reported_and_the_stream_continues(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events) as ws, ws.price_subscribe("BTCUSDT", "ETHUSDT") as prices:
        await next_item(prices)
        await next_item(prices)
        good = gzip.compress(b'{"method":"price.update","params":["BTCUSDT","1"],"id":null}')
        for bad in (b"\x1f\x8b\x08\x00garbage", good[:-6], "not json", b"\x00\x01\x02", "[1,2]"):
            await server.inject(bad)
        await server.inject(
            gzip.compress(b'{"method":"price.update","params":["BTCUSDT"],"id":null}')
        )
        await server.push(price("BTCUSDT", "2"))
        assert (await next_item(prices)).price == Decimal(2)
        assert await ws.server_ping() == "pong"
        frame_errors = await events.wait_for(rt.FrameError, 6)
    assert frame_errors[0].raw == b"\x1f\x8b\x08\x00garbage"
    assert "price.update" in frame_errors[-1].error
    assert not events.of(rt.Disconnected)[:-1]  # only the final close


async def test_unanswered_pings_trigger_a_reconnect(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events, heartbeat_interval=0.05, heartbeat_timeout=0.1) as ws:
        server.answer_pings = False
        gone = await events.wait_for(rt.Disconnected)
        server.answer_pings = True
        await events.wait_for(rt.Connected, 2)
        assert "heartbeat" in gone[0].reason
        assert await ws.server_ping() == "pong"


async def test_silence_past_the_watchdog_triggers_a_reconnect(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events, heartbeat_interval=None, watchdog=0.2) as ws:
        gone = await events.wait_for(rt.Disconnected)
        assert "watchdog" in gone[0].reason
        await events.wait_for(rt.Connected, 2)
        assert await ws.server_time() == 1511941406


async def test_disconnect_fails_pending_requests_without_hanging(server: WsMock) -> None:
    async with client(server) as ws:
        server.silent = True
        pending = [asyncio.create_task(ws.server_time(timeout=20)) for _ in range(5)]
        while len(server.requests) < 5:
            await asyncio.sleep(0.01)
        server.kill()
        async with asyncio.timeout(2):
            results = await asyncio.gather(*pending, return_exceptions=True)
        assert all(isinstance(r, ConnectionLost) for r in results), results
        server.silent = False
        assert await ws.server_time() == 1511941406  # reconnected


async def test_close_fails_pending_requests_and_ends_iterators(server: WsMock) -> None:
    ws = client(server)
    await ws.connect()
    prices = ws.price_subscribe("BTCUSDT", "ETHUSDT")
    await prices.start()
    server.silent = True
    pending = asyncio.create_task(ws.server_time(timeout=20))
    while not any(r["method"] == "server.time" for r in server.requests):
        await asyncio.sleep(0.01)
    events = ws.events()
    waiter = asyncio.create_task(anext(events, None))
    await asyncio.sleep(0)
    await ws.close()
    with pytest.raises(ConnectionLost):
        await pending
    items = [item async for item in prices]
    assert len(items) <= 2  # what was queued before the close, then the iterator ends
    assert isinstance(await waiter, rt.Disconnected | type(None))
    with pytest.raises(ConnectionLost):
        await ws.server_time()


async def test_slow_consumer_drops_oldest_and_counts(server: WsMock) -> None:
    async with client(server, max_queue=10) as ws, ws.price_subscribe("BTCUSDT") as prices:
        server.send_recorded_pushes = False
        for i in range(1000):
            await server.push(price("BTCUSDT", str(i)))
        assert await ws.server_ping() == "pong"  # every push before the reply was read
        assert prices.pending == 10
        assert prices.dropped >= 990 - 2  # the re-sent subscription may replay 2 pushes
        got = [await next_item(prices) for _ in range(10)]
        assert [g.price for g in got] == [Decimal(i) for i in range(990, 1000)]


async def test_block_policy_loses_nothing(server: WsMock) -> None:
    async with client(server, queue_policy="block", max_queue=5) as ws:
        server.send_recorded_pushes = False
        async with ws.price_subscribe("BTCUSDT") as prices:
            pushing = asyncio.create_task(_push_many(server, 200))
            got = [(await next_item(prices)).price for _ in range(200)]
            await pushing
            assert got == [Decimal(i) for i in range(200)]
            assert prices.dropped == 0 and prices.pending <= 5


async def _push_many(server: WsMock, n: int) -> None:
    for i in range(n):
        await server.push(price("BTCUSDT", str(i)))


# ------------------------------------------------------------------ subscriptions of one method


async def test_iterators_on_one_method_merge_and_route(server: WsMock) -> None:
    async with client(server) as ws:
        server.send_recorded_pushes = False
        btc = ws.deals_subscribe("BTCUSDT")
        eth = ws.deals_subscribe("ETHUSDT")
        await btc.start()
        await eth.start()
        conn = await server.wait_subscribed("deals.subscribe", ["BTCUSDT", "ETHUSDT"])
        deal = {"id": 1, "time": 1.5, "price": "1", "amount": "2", "type": "buy"}
        await server.push(
            {"method": "deals.update", "params": ["ETHUSDT", [deal]], "id": None, "ts": 1}
        )
        await server.push(
            {"method": "deals.update", "params": ["BTCUSDT", [deal]], "id": None, "ts": 2}
        )
        assert (await next_item(eth)).market == "ETHUSDT"
        assert (await next_item(btc)).market == "BTCUSDT"
        assert eth.pending == btc.pending == 0
        await btc.aclose()
        assert conn.subscriptions["deals.subscribe"] == ["ETHUSDT"]
        await eth.aclose()
        assert "deals.subscribe" not in conn.subscriptions
        assert server.requests[-1]["method"] == "deals.unsubscribe"


async def test_leaving_the_loop_unsubscribes(server: WsMock) -> None:
    async with client(server) as ws:
        async for item in ws.price_subscribe("BTCUSDT", "ETHUSDT"):
            assert item.market == "BTCUSDT"
            break
        async with asyncio.timeout(2):
            while server.requests[-1]["method"] != "price.unsubscribe":
                await asyncio.sleep(0.01)


async def test_fixed_params_are_shared_or_refused(server: WsMock) -> None:
    async with client(server) as ws:
        one = ws.depth_subscribe("BTCUSDT", 100, "0.01")
        two = ws.depth_subscribe("BTCUSDT", 100, "0.01")
        async with one, two:
            assert (await next_item(one)).clean is True
            assert (
                await next_item(two)
            ).clean is True  # the second start re-sends: a fresh snapshot
            with pytest.raises(ParameterError):
                await ws.depth_subscribe("ETHUSDT", 100, "0.01").start()


async def test_server_refusing_a_subscription_raises(server: WsMock) -> None:
    async with client(server) as ws:
        with pytest.raises(APIError) as info:
            await ws.request("order.subscribe", ["BTCUSDT"])
        assert info.value.code == 6


# ------------------------------------------------------------------ refusals and bad replies


async def test_undecodable_result_raises_decode_error(server: WsMock) -> None:
    from hotbit.errors import DecodeError

    async with client(server) as ws:
        server.results["server.time"] = "not a number"
        with pytest.raises(DecodeError) as info:
            await ws.server_time()
        assert info.value.method == "server.time" and b"not a number" in info.value.raw
        server.results["server.time"] = "1700000000"  # a number sent as a string is tolerated
        assert await ws.server_time() == 1700000000


async def test_refused_auth_on_reconnect_is_reported(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events, api_key=API_KEY, secret_key=SECRET) as ws:
        server.refuse["server.auth"] = {"code": 11, "message": "authentication failed"}
        server.kill()
        (failed,) = await events.wait_for(rt.AuthFailed)
        assert failed.error.code == 11 and type(failed.error).__name__ == "AuthenticationFailed"
        assert await ws.server_time() == 1511941406  # public methods still work
        with pytest.raises(APIError) as info:
            await ws.order_query([], 0, 50)  # the server refuses: not authenticated
        assert info.value.code == 6


async def test_refused_auth_on_connect_raises(server: WsMock) -> None:
    from hotbit.errors import AuthenticationFailed

    with pytest.raises(AuthenticationFailed):
        async with client(server, api_key=API_KEY, secret_key="wrong"):
            raise AssertionError("unreachable")  # pragma: no cover


async def test_refused_resubscribe_ends_the_iterator_with_the_error(server: WsMock) -> None:
    events = Recorder()
    async with client(server, events) as ws, ws.price_subscribe("BTCBCC") as prices:
        await next_item(prices)
        server.refuse["price.subscribe"] = {"code": 1, "message": "invalid argument"}
        server.kill()
        (failed,) = await events.wait_for(rt.SubscribeFailed)
        assert failed.subscription == "price.subscribe"
        with pytest.raises(APIError):
            while True:
                await next_item(prices)


async def test_events_iterator_and_closed_client(server: WsMock) -> None:
    ws = client(server)
    stream = ws.events()
    await ws.connect()
    first = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    server.kill()
    assert isinstance(await asyncio.wait_for(first, 5), rt.Disconnected)
    assert isinstance(await asyncio.wait_for(anext(stream), 5), rt.Reconnecting)
    assert isinstance(await asyncio.wait_for(anext(stream), 5), rt.Connected)
    await ws.close()
    assert [e async for e in stream][-1:] == [rt.Disconnected("closed")]
    with pytest.raises(ConnectionLost):
        await ws.connect()


# ------------------------------------------------------------------ backoff


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = rt.Backoff(initial=1.0, maximum=8.0, factor=2.0, jitter=0.25)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (500, 8.0)]:
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(base * 0.75 <= d <= base for d in delays), (attempt, min(delays), max(delays))
        assert len(set(delays)) > 1  # jittered


async def test_backoff_resets_after_a_healthy_connection(server: WsMock) -> None:
    events = Recorder()
    backoff = rt.Backoff(initial=0.01, maximum=0.05, reset_after=0.3)
    async with client(server, events, backoff=backoff):
        server.kill()
        await events.wait_for(rt.Connected, 2)
        server.kill()  # the connection lived < reset_after: the attempt count goes on
        await events.wait_for(rt.Connected, 3)
        await asyncio.sleep(0.4)
        server.kill()  # this one was healthy: back to the first attempt
        await events.wait_for(rt.Connected, 4)
    assert [e.attempt for e in events.of(rt.Reconnecting)] == [1, 2, 1]
