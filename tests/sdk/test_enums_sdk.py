"""Coded integers over loopback: the REST and WebSocket mocks answer with enum members
(`models.Side`, `OrderType`, the `OrderStatus` bit field, `OrderUpdateEvent`), arguments take a
member or the plain code, and codes the spec does not list still decode."""

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
    ws_mock_for,
    ws_recordings_with_order_update,
)

from generator.mock import RestMock
from generator.mock.recordings import json_bytes

pytestmark = pytest.mark.timeout(60)


def _client(mock: RestMock) -> hotbit.Client:
    return hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=mock.url, max_retries=0)


def test_rest_answers_are_enum_members(rest_mock: RestMock) -> None:
    with _client(rest_mock) as client:
        order = client.order_pending(market="ETH/BTC", offset=0, limit=50)["ETHBTC"].records[0]
        deals = client.order_deals(order_id=1, offset=0, limit=10).records
    assert order.side is models.Side.BUY and order.type is models.OrderType.LIMIT
    assert type(order.status) is models.OrderStatus and order.status == 0
    assert not order.status & models.OrderStatus.CANCELLED
    assert deals and all(type(d.role) is models.DealRole for d in deals)


def test_arguments_take_the_member_or_the_plain_code(rest_mock: RestMock) -> None:
    with _client(rest_mock) as client:
        client.order_book(market="ETH/BTC", side=models.Side.SELL, offset=0, limit=100)
        client.order_book(market="ETH/BTC", side=2, offset=0, limit=100)
        with pytest.raises(hotbit.ParameterError):
            client.order_book(market="ETH/BTC", side=3, offset=0, limit=100)  # type: ignore[arg-type]
    sent = [r.params["side"] for r in rest_mock.requests if r.operation_id == "order_book"]
    assert sent == ["1", "2"]


def test_unknown_rest_codes_decode(rest_mock: RestMock) -> None:
    rec = next(r for r in rest_mock.recordings if r.name == "order_pending")
    body = json.loads(json.dumps(rec.json_body))
    body["result"]["ETHBTC"]["records"][0].update(side=7, type=9, status=0x88 | 0x1)
    rest_mock.prime(dataclasses.replace(rec, json_body=body, body=json_bytes(body)))
    with _client(rest_mock) as client:
        order = client.order_pending(market="ETH/BTC", offset=0, limit=50)["ETHBTC"].records[0]
    assert type(order.side) is models.Side and order.side == 7
    assert order.side not in (models.Side.SELL, models.Side.BUY)
    assert type(order.type) is models.OrderType and order.type == 9
    assert type(order.status) is models.OrderStatus and order.status == 0x89
    assert order.status & models.OrderStatus.CANCELLED and order.status & 0x1
    assert order.status & models.OrderStatus.DISCOUNT_TOKEN


async def _updates(url: str, count: int) -> list[models.OrderUpdate]:
    out: list[models.OrderUpdate] = []
    async with hotbit.WebSocketClient(
        url=url, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY
    ) as ws:
        async for update in ws.order_subscribe("BTCUSDT"):
            out.append(update)
            if len(out) == count:
                return out
    return out


def test_websocket_pushes_are_enum_members() -> None:
    with ws_mock_for() as mock:
        updates = asyncio.run(asyncio.wait_for(_updates(mock.url, 3), 20))
    assert [u.event for u in updates] == [
        models.OrderUpdateEvent.PUT,
        models.OrderUpdateEvent.UPDATE,
        models.OrderUpdateEvent.FINISH,
    ]
    assert all(type(u.event) is models.OrderUpdateEvent for u in updates)
    assert all(u.order.side is models.Side.BUY for u in updates)


def test_unknown_websocket_codes_decode(tmp_path: Path) -> None:
    order = {
        "id": 1, "market": "BTCUSDT", "type": 5, "side": 9, "ctime": 1.0, "mtime": 2.0,
        "price": "1", "amount": "2", "left": "0.5", "deal_stock": "1.5", "deal_money": "1.5",
    }  # fmt: skip
    with ws_mock_for(
        ws_recordings_with_order_update(tmp_path / "ws", lambda _: [4, order])
    ) as mock:
        (update,) = asyncio.run(asyncio.wait_for(_updates(mock.url, 1), 20))
    assert type(update.event) is models.OrderUpdateEvent and update.event == 4
    assert type(update.order.side) is models.Side and update.order.side == 9
    assert type(update.order.type) is models.OrderType and update.order.type == 5
    assert update.order.amount - update.order.left == Decimal("1.5")
