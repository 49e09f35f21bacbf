"""Unknown response fields stay reachable over loopback: a server that adds keys the spec does not
declare (at any depth, REST and WebSocket) still decodes, and each model keeps its own as
`model_extra`."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import hotbit
import pytest
from hotbit import models
from support import (
    REST_API_KEY,
    REST_SECRET_KEY,
    WS_RECORDINGS,
    ws_mock_for,
    ws_recordings_with_order_update,
)

from generator.mock import RestMock
from generator.mock.recordings import json_bytes

pytestmark = pytest.mark.timeout(60)


def test_rest_models_keep_the_keys_the_spec_does_not_declare(rest_mock: RestMock) -> None:
    rec = next(r for r in rest_mock.recordings if r.name == "order_pending")
    body = json.loads(json.dumps(rec.json_body))
    page = body["result"]["ETHBTC"]
    page["records"][0].update(client_oid="bot-1", trigger={"price": "0.5", "when": 1.25})
    page["cursor"] = "next"
    rest_mock.prime(dataclasses.replace(rec, json_body=body, body=json_bytes(body)))
    with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as client:
        pending = client.order_pending(market="ETH/BTC", offset=0, limit=50)
        again = client.order_pending(market="ETH/BTC", offset=0, limit=50)  # as recorded
    order = pending["ETHBTC"].records[0]
    assert order.model_extra == {
        "client_oid": "bot-1",
        "trigger": {"price": "0.5", "when": Decimal("1.25")},
    }
    assert pending["ETHBTC"].model_extra == {"cursor": "next"}
    assert again["ETHBTC"].records[0].model_extra == {} and again["ETHBTC"].model_extra == {}
    assert order == again["ETHBTC"].records[0]  # extras are not fields


@pytest.mark.parametrize("keep_extra", [True, False])
def test_websocket_pushes_keep_them_too_unless_told_not_to(
    tmp_path: Path, keep_extra: bool
) -> None:
    recorded = json.loads((WS_RECORDINGS / "order_subscribe.json").read_text())
    pushes = [p for e in recorded["exchanges"] for p in e.get("pushes") or []]
    order = dict(next(p for p in pushes if p.get("method") == "order.update")["params"][1])
    order["stp"] = "cancel_newest"

    async def first(url: str) -> models.OrderUpdate:
        async with hotbit.WebSocketClient(
            url=url, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY, keep_extra=keep_extra
        ) as ws:
            async for update in ws.order_subscribe("BTCUSDT"):
                return update
        raise AssertionError("no push")

    with ws_mock_for(
        ws_recordings_with_order_update(tmp_path / "ws", lambda p: [p[0], order])
    ) as mock:
        update = asyncio.run(asyncio.wait_for(first(mock.url), 20))
    assert update.order.model_extra == ({"stp": "cancel_newest"} if keep_extra else {})
    assert update.order.side is models.Side.BUY
