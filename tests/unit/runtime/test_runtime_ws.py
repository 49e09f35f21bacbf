"""generator/runtime/_ws_runtime.py and _ws_rpc.py over a loopback WebSocket server.

Replies are matched to requests by id (in any order), error replies map through the registered
error codes, and a dropped connection is reconnected with backoff, failing what was pending.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from websockets.asyncio.server import ServerConnection, serve

from generator.runtime import _errors
from generator.runtime._ws_rpc import Engine, SubscribeSpec
from generator.runtime._ws_runtime import Backoff, Connected, Disconnected, Event, Reconnecting

FAST = Backoff(initial=0.01, maximum=0.05, jitter=0.0)


class Server:
    def __init__(self) -> None:
        self.connections = 0
        self.held: list[dict[str, Any]] = []

    async def handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        async for text in ws:
            req = json.loads(text)
            method, rid = req["method"], req["id"]
            if method == "hold":  # answered after the next request, out of order
                self.held.append(req)
            elif method == "fail":
                await ws.send(
                    json.dumps(
                        {"id": rid, "result": None, "error": {"code": 4242, "message": "no"}}
                    )
                )
            elif method == "drop":
                await ws.close()
            elif method == "sub":
                await ws.send(json.dumps({"id": rid, "result": "ok", "error": None}))
                await ws.send(
                    json.dumps({"method": "push", "params": [req["params"][0], 1], "id": None})
                )
            else:
                await ws.send(
                    json.dumps({"id": rid, "result": [method, req["params"]], "error": None})
                )
                for held in self.held:
                    await ws.send(json.dumps({"id": held["id"], "result": "late", "error": None}))
                self.held.clear()


@pytest.fixture
async def server() -> AsyncIterator[tuple[Server, str]]:
    state = Server()
    async with serve(state.handle, "127.0.0.1", 0) as srv:
        port = srv.sockets[0].getsockname()[1]
        yield state, f"ws://127.0.0.1:{port}"


ANY = msgspec.json.Decoder(Any)


async def test_replies_resolve_their_own_futures(server: tuple[Server, str]) -> None:
    _state, url = server
    engine = Engine(url, subscribe_specs=[], push_decoders={}, backoff=FAST)
    await engine.start()
    try:
        held = asyncio.create_task(engine.request("hold", [], ANY))
        await asyncio.sleep(0.05)
        assert await engine.request("echo", [1, "a"], ANY) == ["echo", [1, "a"]]
        assert await held == "late"
        results = await asyncio.gather(*(engine.request("echo", [i], ANY) for i in range(20)))
        assert results == [["echo", [i]] for i in range(20)]
    finally:
        await engine.close()


async def test_error_replies_map_to_the_registered_classes(server: tuple[Server, str]) -> None:
    class Refused(_errors.APIError):
        pass

    _errors.register_codes({}, {("fail", 4242): Refused})
    engine = Engine(server[1], subscribe_specs=[], push_decoders={}, backoff=FAST)
    await engine.start()
    try:
        with pytest.raises(Refused) as info:
            await engine.request("fail", [], ANY)
        assert info.value.code == 4242 and info.value.message == "no"
        with pytest.raises(_errors.RequestTimeout):
            await engine.request("hold", [], ANY, timeout=0.1)
    finally:
        await engine.close()


async def test_reconnects_with_backoff_and_fails_pending(server: tuple[Server, str]) -> None:
    state, url = server
    events: list[Event] = []
    engine = Engine(url, subscribe_specs=[], push_decoders={}, backoff=FAST, on_event=events.append)
    await engine.start()
    try:
        held = asyncio.create_task(engine.request("hold", [], ANY))
        await asyncio.sleep(0.05)
        with pytest.raises(_errors.ConnectionLost):
            await engine.request("drop", [], ANY)
        with pytest.raises(_errors.ConnectionLost):
            await held
        assert await engine.request("echo", [], ANY) == ["echo", []]  # waits for the reconnect
        assert state.connections == 2
        kinds = [type(e) for e in events]
        assert kinds[:4] == [Connected, Disconnected, Reconnecting, Connected]
        reconnecting = events[2]
        assert isinstance(reconnecting, Reconnecting) and reconnecting.delay == pytest.approx(0.01)
    finally:
        await engine.close()
    with pytest.raises(_errors.ConnectionLost):
        await engine.request("echo", [], ANY)


async def test_subscription_gets_its_pushes(server: tuple[Server, str]) -> None:
    spec = SubscribeSpec("sub", "push")
    engine = Engine(server[1], subscribe_specs=[spec], push_decoders={"push": ANY}, backoff=FAST)
    await engine.start()
    try:
        async with engine.subscribe(spec, ("ETHBTC",), None) as sub:
            assert await anext(sub) == ["ETHBTC", 1]
    finally:
        await engine.close()


def test_backoff_delays() -> None:
    backoff = Backoff(initial=1.0, maximum=8.0, factor=2.0, jitter=0.5)
    for attempt, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (10_000, 8.0)]:
        for _ in range(20):
            assert 0.5 * full <= backoff.delay(attempt) <= full
