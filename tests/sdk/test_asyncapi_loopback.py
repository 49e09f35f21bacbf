"""Packages generated from plain AsyncAPI documents (tests/fixtures/asyncapi/), over a loopback
socket (`generator.mock.WsServer`): what they send, what they receive, reconnects, queues, bad frames.
Generation and the offline checks: unit/test_asyncapi_generic.py.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from support.asyncapi import AVRO, V2, V3, Generated, module, slug

from generator.mock import Raw, WsServer

pytestmark = pytest.mark.timeout(120)


# ------------------------------------------------------------------ loopback


@pytest.fixture
async def server() -> AsyncIterator[WsServer]:
    async with WsServer() as srv:
        yield srv


def events_recorder() -> tuple[list[Any], Any]:
    seen: list[Any] = []
    return seen, seen.append


def rt(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "_ws_runtime")


def ws_module(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "websocket")


def models(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "ws_models")


def fast(generated: dict[str, Generated], path: Path) -> Any:
    return rt(generated, path).Backoff(initial=0.01, maximum=0.05, jitter=0.5, reset_after=1.0)


async def next_received(server: WsServer) -> tuple[str, Any]:
    return await asyncio.wait_for(server.received.get(), 5)


async def test_send_puts_the_right_json_on_the_wire(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws, m = ws_module(generated, V2), models(generated, V2)
    async with ws.WebSocketClient(url=server.origin + "/v1/stream") as client:
        await client.send_subscribe(m.Subscribe(symbols=["ABC", "XYZ"], depth_limit=5))
        await client.send_ping(m.Ping(nonce=3))
        await client.send('{"op":"raw"}')
        assert await next_received(server) == (
            "/v1/stream",
            {"op": "subscribe", "symbols": ["ABC", "XYZ"], "depth_limit": 5},
        )
        assert await next_received(server) == (
            "/v1/stream",
            {"op": "ping", "nonce": 3},
        )  # const filled in
        assert await next_received(server) == ("/v1/stream", {"op": "raw"})


async def test_received_messages_are_typed_and_discriminated(
    generated: dict[str, Generated],
) -> None:
    ws, m = ws_module(generated, V2), models(generated, V2)
    seen, record = events_recorder()
    # the spec's x-frames: gzip binary frames
    async with (
        WsServer(compression="gzip") as server,
        ws.WebSocketClient(url=server.origin, on_event=record) as client,
    ):
        everything = client.messages()
        alerts = client.receive_alert()
        await server.wait_connections(1)
        frames = [
            {"event": "quote", "symbol": "ABC", "price": 12.5, "size": 3},
            {"event": "alert", "kind": "session", "text": "closing"},
            {"kind": "price", "symbol": "XYZ", "event": "alert", "level": 2},
            {"event": "pong", "nonce": 7},
            [{"event": "quote", "symbol": "A", "price": 1}],
            "maintenance",
            {"event": "nope"},  # no message of the spec: yielded raw, not raised
            Raw("{not json"),
            {"event": "quote", "symbol": "ABC"},  # required price missing: unknown too
            {"event": "pong"},
        ]
        for frame in frames:
            await server.send(frame)
        got = [await asyncio.wait_for(anext(everything), 5) for _ in frames]
        kinds = [type(x).__name__ for x in got]
        assert kinds == [
            "Quote",
            "SessionAlert",
            "PriceAlert",
            "Pong",
            "list",
            "str",
            "UnknownMessage",
            "UnknownMessage",
            "UnknownMessage",
            "Pong",
        ]
        assert got[0] == m.Quote(symbol="ABC", price=12.5, size=3, event="quote")
        assert got[2].symbol == "XYZ" and got[2].level == 2
        assert got[4] == [m.Quote(symbol="A", price=1, event="quote")] and got[5] == "maintenance"
        assert json.loads(got[6].raw) == {"event": "nope"} and got[7].raw == b"{not json"
        assert "quote" in got[8].reason
        assert [type(a).__name__ for a in [await anext(alerts), await anext(alerts)]] == [
            "SessionAlert",
            "PriceAlert",
        ]
        assert alerts.pending == 0  # only alerts went there
    assert not [e for e in seen if type(e).__name__ == "FrameError"]


async def test_asyncapi_3_channel_url_send_and_receive(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws, m = ws_module(generated, V3), models(generated, V3)
    async with ws.WebSocketClient(room="lobby 1", server=server.origin + "/chat") as client:
        stream = client.messages()
        await client.send_join(m.Join(user="ann"))
        path, frame = await next_received(server)
        assert path == "/chat/rooms/lobby%201/live" and frame == {"type": "join", "user": "ann"}
        for out in (
            {"type": "welcome", "members": ["ann"]},
            {"type": "said", "user": "bob", "text": "hi"},
            {"type": "error", "code": 4},
            {"type": "joined", "user": "cy"},
        ):
            await server.send(out)
        got = [await asyncio.wait_for(anext(stream), 5) for _ in range(4)]
        assert [type(x).__name__ for x in got] == ["Welcome", "Said", "Error", "Joined"]
        assert got[0].members == ["ann"] and got[2].code == 4


async def test_a_dropped_connection_reconnects_and_iteration_continues(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws, r = ws_module(generated, V2), rt(generated, V2)
    seen, record = events_recorder()
    async with ws.WebSocketClient(
        url=server.origin, backoff=fast(generated, V2), on_event=record
    ) as client:
        quotes = client.receive_quote()
        await server.wait_connections(1)
        await server.send({"event": "quote", "symbol": "A", "price": 1})
        assert (await asyncio.wait_for(anext(quotes), 5)).symbol == "A"
        server.kill()
        await server.wait_connections(2)
        await server.send({"event": "quote", "symbol": "B", "price": 2})
        assert (await asyncio.wait_for(anext(quotes), 5)).symbol == "B"
        await client.send_ping(models(generated, V2).Ping())  # sending works again too
        assert (await next_received(server))[1] == {"op": "ping"}
    kinds = [type(e) for e in seen]
    assert r.Disconnected in kinds and r.Reconnecting in kinds and r.Gap in kinds
    assert [e.count for e in seen if isinstance(e, r.Connected)] == [1, 2]


async def test_a_slow_consumer_loses_the_oldest_past_the_bound(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws = ws_module(generated, V2)
    async with ws.WebSocketClient(url=server.origin) as client:
        quotes = client.receive_quote(maxsize=5)
        marker = client.receive_pong()
        await server.wait_connections(1)
        for i in range(50):
            await server.send({"event": "quote", "symbol": "A", "price": i})
        await server.send({"event": "pong"})
        await asyncio.wait_for(anext(marker), 5)  # every quote before it was handled
        assert quotes.pending == 5 and quotes.dropped == 45
        assert [(await anext(quotes)).price for _ in range(5)] == [45, 46, 47, 48, 49]


async def test_a_blocking_queue_holds_the_reader_back_and_loses_nothing(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws = ws_module(generated, V2)
    async with ws.WebSocketClient(url=server.origin) as client:
        quotes = client.receive_quote(maxsize=2, policy="block")
        await server.wait_connections(1)
        for i in range(20):
            await server.send({"event": "quote", "symbol": "A", "price": i})
        prices = []
        for _ in range(20):
            await asyncio.sleep(0.01)
            assert quotes.pending <= 2
            prices.append((await asyncio.wait_for(anext(quotes), 5)).price)
        assert prices == list(range(20)) and quotes.dropped == 0


async def test_raw_payloads_and_bad_frames_never_crash(
    generated: dict[str, Generated], server: WsServer
) -> None:
    ws = ws_module(generated, AVRO)
    async with ws.WebSocketClient(url=server.origin) as client:
        everything = client.messages()
        readings = client.receive_reading()
        await server.wait_connections(1)
        await server.send(b"\x00\x01\x02avro")  # a binary payload: passed through as it came
        await server.send({"status": "ok"})
        assert await asyncio.wait_for(anext(readings), 5) == b"\x00\x01\x02avro"
        got = [await asyncio.wait_for(anext(everything), 5) for _ in range(2)]
        assert got[0] == b"\x00\x01\x02avro" and type(got[1]).__name__ == "Status"


async def test_undecompressable_frames_are_reported_and_skipped(
    generated: dict[str, Generated],
) -> None:
    ws, r = ws_module(generated, V2), rt(generated, V2)
    seen, record = events_recorder()
    async with (
        WsServer(compression="gzip") as server,
        ws.WebSocketClient(url=server.origin, on_event=record) as client,
    ):
        pongs = client.receive_pong()
        await server.wait_connections(1)
        await server.send(gzip.compress(b'{"event":"pong"}')[:-6])  # truncated
        await server.send({"event": "pong", "nonce": 1})
        assert (await asyncio.wait_for(anext(pongs), 5)).nonce == 1
    assert [type(e) for e in seen].count(r.FrameError) == 1


async def test_multi_channel_client_makes_one_client_per_channel(
    generated: dict[str, Generated],
) -> None:
    g = generated["p_social_media_backend"]
    ws = module(g, "websocket")
    async with WsServer() as server, ws.WebSocketClient(server=server.origin) as root:
        likes = root.like_comment()
        assert root.like_comment() is likes and likes.url == server.origin + "/like/comment"
        changed = root.comment_comment_id_changed(comment_id="c/1")
        assert changed.url == server.origin + "/comment/c%2F1/changed"
        await likes.send_like_comment(module(g, "ws_models").LikeCommentPayload(comment_id="c1"))
        assert await next_received(server) == ("/like/comment", {"commentId": "c1"})
    assert not likes.connected


def test_no_server_needs_a_url(generated: dict[str, Generated]) -> None:
    ws = module(generated["p_simple"], "websocket")
    with pytest.raises(ValueError, match="no server"):
        ws.WebSocketClient()
    assert ws.WebSocketClient(url="ws://127.0.0.1:9/x").url == "ws://127.0.0.1:9/x"


async def test_a_null_payload_is_a_message_not_a_gap(
    generated: dict[str, Generated], server: WsServer
) -> None:
    g = generated["p_v2_awkward_names"]
    ws = module(g, "websocket")
    async with ws.RoomsRoomIdEventsLiveChannel(server=server.origin) as client:
        prints = client.receive_print()
        await server.wait_connections(1)
        assert server.paths == ["/rooms/3/events%20%22live%22"]  # the parameter's default
        await server.send(None)
        await server.send({"kind": "a\\b", "list": ["x", None]})
        assert await asyncio.wait_for(anext(prints), 5) is None
        everything = client.messages()
        await server.send({"kind": "error", "error-code": 5})
        got = await asyncio.wait_for(anext(everything), 5)
        assert type(got).__name__ == "ConnectionError" and msgspec.to_builtins(got) == {
            "kind": "error",
            "error-code": 5,
        }
