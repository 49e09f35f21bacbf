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
from websockets.asyncio.server import ServerConnection, serve

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


def test_decompress() -> None:
    data = b'{"a": 1}'
    assert decompress(gzip.compress(data)) == data
    assert decompress(zlib.compress(data)) == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decompress(raw.compress(data) + raw.flush()) == data
    assert decompress(data) == data and decompress(data, "none") == data


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async def handle(ws: ServerConnection) -> None:
        async for text in ws:
            for frame in json.loads(text):
                await ws.send(gzip.compress(json.dumps(frame).encode()))

    async with serve(handle, "127.0.0.1", 0) as srv:
        yield f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"


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
