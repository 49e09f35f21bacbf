"""AsyncAPI 3.0 request/reply on a real exchange document: every `send` operation of Binance's
spot WebSocket API with a `reply` (and a `correlationId`) becomes an awaitable method returning
its typed reply. The generated package (its 49 awaitable methods, `mypy --strict`) is checked in
integration/test_real_world.py, which generates every document of the shared corpus; the loopback
behaviour (reply, timeout, disconnect) is in sdk/test_asyncapi_request_reply.py, on a small
fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.load import Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi

pytestmark = pytest.mark.timeout(300)

BINANCE = (
    Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus"))
    / "exchanges"
    / "asyncapi"
    / "binance-spot.asyncapi.yaml"
)


@pytest.fixture(scope="module")
def api() -> WsApi:
    if not BINANCE.is_file():
        pytest.fail(f"missing {BINANCE} (set SPEC_CORPUS)", pytrace=False)
    doc = load_document(BINANCE)
    return build_ws_api(doc, Resolver(doc), "binance_spot")


def test_every_operation_with_a_reply_is_a_request(api: WsApi) -> None:
    [channel] = api.channels
    requests = {r.name: r for r in channel.requests}
    assert len(requests) == 49
    depth = requests["depth"]
    assert (depth.py_name, depth.request.name, [m.name for m in depth.replies]) == (
        "depth",
        "Order book Request",
        ["Order book Response"],
    )
    assert (depth.request_id, depth.reply_id, depth.id_kind) == (("id",), ("id",), "string")
    assert str(depth.result) == "models.DepthResponse"
    # Nothing is dropped: the request and reply messages are still sent and received as such.
    assert {m.name for m in channel.sends} >= {r.request.name for r in requests.values()}
