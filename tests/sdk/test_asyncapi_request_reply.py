"""AsyncAPI 3.0 request/reply (tests/fixtures/asyncapi/v3-request-reply.yaml) over a loopback
socket (`generator.mock.WsServer`): an operation with a `reply` and a `correlationId` is an
awaitable method that returns the typed reply, times out, and is rejected on disconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest
from support.asyncapi import REQUEST_REPLY, Generated, module, slug

from generator.mock import WsServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def server() -> AsyncIterator[WsServer]:
    async with WsServer() as srv:
        yield srv


@pytest.fixture
def pkg(generated: dict[str, Generated]) -> tuple[ModuleType, ModuleType, ModuleType]:
    g = generated[slug(REQUEST_REPLY)]
    return module(g, "websocket"), module(g, "ws_models"), module(g, "errors")


def client(ws: ModuleType, server: WsServer, **options: Any) -> Any:
    return ws.WebSocketClient(url=server.origin + "/", **options)


async def request_frame(server: WsServer) -> dict[str, Any]:
    _, frame = await asyncio.wait_for(server.received.get(), 5)
    assert isinstance(frame, dict)
    return frame


def test_the_model_pairs_requests_with_replies(generated: dict[str, Generated]) -> None:
    api = generated[slug(REQUEST_REPLY)].api
    [channel] = api.channels
    got = {r.py_name: r for r in channel.requests}
    assert sorted(got) == ["echo", "ping"]  # shout has no correlationId
    assert (got["ping"].request_id, got["ping"].id_kind) == (("id",), "integer")
    assert (got["echo"].reply_id, got["echo"].id_kind) == (("meta", "ref"), "string")
    assert [m.name for m in got["echo"].replies] == ["echoResponse", "echoRefused"]
    assert str(got["echo"].result) == "models.EchoResponse | models.EchoRefused"
    assert any("'shout' has a reply" in w for w in generated[slug(REQUEST_REPLY)].warnings)


async def test_awaits_the_typed_reply_with_the_same_id(pkg: Any, server: WsServer) -> None:
    ws, m, _ = pkg
    async with client(ws, server) as c:
        first = asyncio.ensure_future(c.ping(m.PingRequest()))
        second = asyncio.ensure_future(c.ping(m.PingRequest()))
        a, b = await request_frame(server), await request_frame(server)
        assert {a["method"], b["method"]} == {"ping"}  # the const is filled in
        assert isinstance(a["id"], int) and a["id"] != b["id"]  # ids counted by the client
        # Answered out of order, with a push and an unrelated reply in between.
        await server.send({"tick": 1})
        await server.send({"id": 999, "time": 1})
        await server.send({"id": b["id"], "time": 2})
        await server.send({"id": a["id"], "time": 1})
        one, two = await asyncio.wait_for(asyncio.gather(first, second), 5)
        assert type(one) is m.PingResponse and (one.id, one.time) == (a["id"], 1)
        assert (two.id, two.time) == (b["id"], 2)


async def test_string_ids_nested_and_given_by_the_caller(pkg: Any, server: WsServer) -> None:
    ws, m, _ = pkg
    async with client(ws, server) as c:
        call = asyncio.ensure_future(c.echo(m.EchoRequest(text="hi")))
        sent = await request_frame(server)
        ref = sent["meta"]["ref"]
        assert sent["op"] == "echo" and isinstance(ref, str) and len(ref) == 36  # a UUID
        await server.send({"kind": "echoed", "text": "hi", "meta": {"ref": ref}})
        reply = await asyncio.wait_for(call, 5)
        assert type(reply) is m.EchoResponse and reply.text == "hi"
        # The caller's own id is kept; a reply may be any of the operation's reply messages.
        call = asyncio.ensure_future(
            c.echo(m.EchoRequest(text="loud", meta=m.EchoRequestMeta(ref="mine")))
        )
        assert (await request_frame(server))["meta"] == {"ref": "mine"}
        await server.send({"kind": "refused", "reason": "too loud", "meta": {"ref": "mine"}})
        refused = await asyncio.wait_for(call, 5)
        assert type(refused) is m.EchoRefused and refused.reason == "too loud"


async def test_a_correlated_frame_that_is_no_reply_is_a_decode_error(
    pkg: Any, server: WsServer
) -> None:
    ws, m, errors = pkg
    async with client(ws, server) as c:
        call = asyncio.ensure_future(c.ping(m.PingRequest(id=5)))
        assert (await request_frame(server))["id"] == 5
        await server.send({"id": 5, "nonsense": True})
        with pytest.raises(errors.DecodeError, match="ping"):
            await asyncio.wait_for(call, 5)


async def test_no_reply_is_a_timeout(pkg: Any, server: WsServer) -> None:
    ws, m, errors = pkg
    async with client(ws, server) as c:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(errors.RequestTimeout, match="ping: no reply within 0.2 s"):
            await c.ping(m.PingRequest(), timeout=0.2)
        assert 0.15 < loop.time() - started < 2
        # The default timeout is the client's send_timeout.
    async with client(ws, server, send_timeout=0.1) as c:
        with pytest.raises(errors.RequestTimeout, match="0.1 s"):
            await c.ping(m.PingRequest())


async def test_a_disconnect_rejects_the_pending_requests(pkg: Any, server: WsServer) -> None:
    ws, m, errors = pkg
    async with client(ws, server) as c:
        call = asyncio.ensure_future(c.ping(m.PingRequest(), timeout=10))
        await request_frame(server)
        server.kill_now()
        with pytest.raises(errors.ConnectionLost, match="ping: connection lost"):
            await asyncio.wait_for(call, 5)
        # Closing the client rejects what is still waiting, too.
        call = asyncio.ensure_future(c.ping(m.PingRequest(), timeout=10))
        await request_frame(server)  # sent on the new connection
        await c.close()
        with pytest.raises(
            errors.ConnectionLost, match=r"ping: (connection lost \(closed\)|client closed)"
        ):
            await asyncio.wait_for(call, 5)
