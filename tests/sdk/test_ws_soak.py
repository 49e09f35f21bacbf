"""End to end: hundreds of forced disconnects in a row, nothing lost, nothing leaked.

One authenticated client holds three subscriptions (two iterators sharing price.subscribe, and
the private order.subscribe). The server aborts the connection 300 times; after each reconnect
the client must authenticate and re-subscribe everything, and a fresh push must reach the right
iterator. Afterwards no task of the client is left, and the whole run stays well within 30 s.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import hotbit
import pytest
from hotbit import _ws_runtime as rt
from support import DOC_KEYS, ws_mock_for

ROUNDS = 300
API_KEY, SECRET = next(iter(DOC_KEYS.items()))


@pytest.mark.timeout(60)
async def test_hundreds_of_disconnects() -> None:
    started = time.monotonic()
    async with ws_mock_for() as server:
        server.send_recorded_pushes = False
        before = asyncio.all_tasks()
        events: list[rt.Event] = []
        backoff = rt.Backoff(initial=0.001, maximum=0.004, jitter=0.5, reset_after=0.5)
        ws = hotbit.WebSocketClient(
            server.url, api_key=API_KEY, secret_key=SECRET, backoff=backoff, on_event=events.append
        )
        await ws.connect()
        btc, eth = ws.price_subscribe("BTCUSDT"), ws.price_subscribe("ETHUSDT")
        orders = ws.order_subscribe("BTCUSDT")
        for sub in (btc, eth, orders):
            await sub.start()
        for n in range(1, ROUNDS + 1):
            server.kill()
            conn = await server.wait_subscribed(
                "price.subscribe", ["BTCUSDT", "ETHUSDT"], connection=n + 1
            )
            await server.wait_subscribed("order.subscribe", ["BTCUSDT"], connection=n + 1)
            assert conn.authed
            market, target = ("BTCUSDT", btc) if n % 2 else ("ETHUSDT", eth)
            await server.push({"method": "price.update", "params": [market, str(n)], "id": None})
            item = await asyncio.wait_for(anext(target), 5)
            assert (item.market, item.price) == (market, Decimal(n))
        assert btc.pending == eth.pending == 0 and btc.dropped == eth.dropped == 0
        await ws.close()
        for sub in (btc, eth, orders):
            assert [item async for item in sub] == []  # every iterator ended
        async with asyncio.timeout(2):
            while leaked := asyncio.all_tasks() - before - {asyncio.current_task()}:
                await asyncio.sleep(0.01)
        assert not leaked
    elapsed = time.monotonic() - started
    disconnects = [e for e in events if isinstance(e, rt.Disconnected)]
    assert len(disconnects) == ROUNDS + 1  # the forced ones and the final close
    assert sum(isinstance(e, rt.Resubscribed) for e in events) == ROUNDS
    assert server.connections == ROUNDS + 1
    assert sum(r["method"] == "server.auth" for r in server.requests) == ROUNDS + 1
    assert elapsed < 30, f"{ROUNDS} reconnects took {elapsed:.1f} s"
    print(f"{ROUNDS} forced disconnects in {elapsed:.2f} s")
