"""generator/runtime/_ws_plain.py: frames recognised once, typed, and streamed over loopback."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from generator.mock import Conn, WsServer
from generator.runtime._extra import Model
from generator.runtime._ws_plain import MessageEngine, UnknownMessage, Variant
from generator.runtime._ws_runtime import Backoff, decompress


class Hello(msgspec.Struct):
    type: str
    name: str


class Tick(msgspec.Struct):
    type: str
    price: str


VARIANTS = [
    Variant(
        "hello",
        msgspec.json.Decoder(Hello),
        "object",
        (("type", "hello"),),
        frozenset({"type", "name"}),
    ),
    Variant(
        "tick",
        msgspec.json.Decoder(Tick),
        "object",
        (("type", "tick"),),
        frozenset({"type", "price"}),
    ),
    Variant("numbers", msgspec.json.Decoder(list[float]), "array"),
]


def engine() -> MessageEngine:
    return MessageEngine("ws://127.0.0.1:9", variants=VARIANTS)


def test_classify_by_constants_required_properties_and_shape() -> None:
    e = engine()
    assert e.classify(b'{"type": "tick", "price": "1.5"}') == ("tick", Tick("tick", "1.5"))
    assert e.classify(b'{"type": "hello", "name": "x"}') == ("hello", Hello("hello", "x"))
    assert e.classify(b"[1, 2.5]") == ("numbers", [1.0, 2.5])
    name, unknown = e.classify(b'{"type": "tick"}')
    assert (
        name is None and isinstance(unknown, UnknownMessage) and "missing price" in unknown.reason
    )
    name, unknown = e.classify(b'"text"')
    assert name is None and "string" in unknown.reason


class Quote(Model):
    type: str
    price: str


@pytest.mark.parametrize("keep_extra", [True, False])
def test_keep_extra_decides_whether_undeclared_keys_are_noted(keep_extra: bool) -> None:
    variant = Variant(
        "quote", msgspec.json.Decoder(Quote), "object", (("type", "quote"),), frozenset({"type"})
    )
    e = MessageEngine("ws://127.0.0.1:9", variants=[variant], keep_extra=keep_extra)
    name, quote = e.classify(b'{"type": "quote", "price": "1.5", "venue": "x"}')
    assert (name, quote) == ("quote", Quote("quote", "1.5"))
    assert quote.model_extra == ({"venue": "x"} if keep_extra else {})


def test_decompress() -> None:
    data = b'{"a": 1}'
    assert decompress(gzip.compress(data)) == data
    assert decompress(zlib.compress(data)) == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decompress(raw.compress(data) + raw.flush()) == data
    assert decompress(data) == data and decompress(data, "none") == data


class _Echo(WsServer):
    """Sends back, one gzip frame each, the frames of every JSON list a client sends."""

    async def on_frame(self, conn: Conn, frame: str | bytes) -> None:
        for obj in json.loads(frame):
            await self.send_to(conn, obj)


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with _Echo(compression="gzip") as srv:
        yield srv.origin


async def test_streams_get_the_messages_they_want(url: str) -> None:
    e = MessageEngine(url, variants=VARIANTS, backoff=Backoff(initial=0.01))
    ticks = e.stream(frozenset({"tick"}), "ticks")
    everything = e.stream(None, "all")
    try:
        frames: list[Any] = [{"type": "hello", "name": "x"}, {"type": "tick", "price": "2"}, "??"]
        await e.send(json.dumps(frames))
        assert await anext(ticks) == Tick("tick", "2")
        got = [await asyncio.wait_for(anext(everything), 2) for _ in range(3)]
        assert got[:2] == [Hello("hello", "x"), Tick("tick", "2")] and isinstance(
            got[2], UnknownMessage
        )
        assert ticks.pending == 0 and ticks.dropped == 0
    finally:
        await e.close()
    with pytest.raises(StopAsyncIteration):
        await anext(ticks)


# ------------------------------------------------------------------ request / reply


class Pong(msgspec.Struct):
    type: str
    ref: dict[str, Any]


REPLY_VARIANTS = [
    *VARIANTS,
    Variant("pong", msgspec.json.Decoder(Pong), "object", (("type", "pong"),), frozenset({"type"})),
]


def test_correlation_ids_are_read_and_set_in_place() -> None:
    from generator.runtime._ws_plain import _get, _put

    assert _get(b'{"a": {"b": "x"}, "c": 1}', ("a", "b")) == "x"
    assert _get(b'{"c": 1}', ("c",)) == 1
    assert _get(b'{"c": true}', ("c",)) is None  # not an id
    assert _get(b'{"c": null}', ("a", "b")) is None and _get(b"[1]", ("c",)) is None
    # other values stay byte for byte (a decimal string, a long number)
    put = _put(b'{"p":"0.10000000000000000001","n":12345678901234567890}', ("m", "id"), 7)
    assert put == b'{"p":"0.10000000000000000001","n":12345678901234567890,"m":{"id":7}}'
    assert _put(b'{"id":null,"x":1}', ("id",), "u") == b'{"id":"u","x":1}'


class _Answer(WsServer):
    """Answers `{"op": "ping", "ref": {"id": ...}}` with a pong carrying the same ref, after a
    tick; never answers `{"op": "silent"}`; answers `{"op": "wrong"}` with a hello of that id."""

    async def on_frame(self, conn: Conn, frame: str | bytes) -> None:
        request = json.loads(frame)
        self.received.put_nowait((conn.path, request))
        if request["op"] == "ping":
            await self.send_to(conn, {"type": "tick", "price": "1"})
            await self.send_to(conn, {"type": "pong", "ref": request["ref"]})
        elif request["op"] == "wrong":
            await self.send_to(conn, {"type": "hello", "name": "x", "ref": request["ref"]})


async def test_request_awaits_the_correlated_reply() -> None:
    from generator.runtime._errors import ConnectionLost, DecodeError, RequestTimeout

    async with _Answer() as srv:
        e = MessageEngine(srv.origin, variants=REPLY_VARIANTS, backoff=Backoff(initial=0.01))
        ticks = e.stream(frozenset({"tick"}), "ticks")
        ask: dict[str, Any] = {
            "request_id": ("ref", "id"),
            "reply_id": ("ref", "id"),
            "replies": frozenset({"pong"}),
        }
        try:
            one, two = await asyncio.gather(
                e.request(b'{"op":"ping"}', "ping", id_kind="integer", **ask),
                e.request(b'{"op":"ping"}', "ping", id_kind="string", **ask),
            )
            assert isinstance(one, Pong) and isinstance(one.ref["id"], int)
            assert isinstance(two.ref["id"], str) and len(two.ref["id"]) == 36
            assert await asyncio.wait_for(anext(ticks), 2) == Tick("tick", "1")  # still streamed
            given = await e.request(b'{"op":"ping","ref":{"id":"mine"}}', "ping", id_kind="", **ask)
            assert given.ref == {"id": "mine"}
            with pytest.raises(DecodeError, match="'hello' message, not a reply"):
                await e.request(b'{"op":"wrong"}', "wrong", id_kind="integer", **ask)
            with pytest.raises(RequestTimeout, match="silent: no reply within 0.1 s"):
                await e.request(b'{"op":"silent"}', "silent", id_kind="integer", timeout=0.1, **ask)
            waiting = asyncio.ensure_future(
                e.request(b'{"op":"silent"}', "silent", id_kind="integer", timeout=5, **ask)
            )
            while srv.received.qsize() < 6:
                await asyncio.sleep(0.01)
            srv.kill_now()
            with pytest.raises(ConnectionLost, match="silent: connection lost"):
                await asyncio.wait_for(waiting, 2)
            assert e._pending == {}
        finally:
            await e.close()
