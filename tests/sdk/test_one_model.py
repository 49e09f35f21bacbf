"""One class per shape: the REST client and the WebSocket client decode into the same models.

The order the REST recording of order.pending holds is served by the REST mock and pushed by the
WebSocket mock (as an order.update) over loopback; both halves must give the same `Order`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import hotbit
import msgspec
import pytest
from hotbit import models, ws_models
from support import ws_recordings_with_order_update

from generator.mock import RestMock, RestSpec, WsMock, load_recordings

ROOT = Path(__file__).resolve().parents[2]
REST_RECORDINGS = ROOT / "tests" / "recordings" / "rest"
API_KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"  # the keys the recordings were signed with
pytestmark = pytest.mark.timeout(60)


def _secret() -> str:
    import support  # the suite's test secret (tests/support/__init__.py)

    return str(support.REST_SECRET_KEY)


def _recorded_order() -> dict[str, Any]:
    rec = json.loads((REST_RECORDINGS / "order_pending.json").read_text())
    order: dict[str, Any] = rec["response"]["body"]["result"]["ETHBTC"]["records"][0]
    return order


def test_rest_and_websocket_decode_the_same_json_into_the_same_class(tmp_path: Path) -> None:
    order_json = _recorded_order()
    secret = _secret()

    spec = RestSpec(ROOT / "specs" / "hotbit-rest.openapi.yaml")
    with (
        RestMock(spec, load_recordings(REST_RECORDINGS), secret_key=secret) as mock,
        hotbit.Client(API_KEY, secret, base_url=mock.url, max_retries=0) as client,
    ):
        pending = client.order_pending(market="ETH/BTC", offset=0, limit=50)
    rest_order = pending["ETHBTC"].records[0]

    async def session(url: str) -> Any:
        async with hotbit.WebSocketClient(url=url, api_key=API_KEY, secret_key=secret) as ws:
            async for update in ws.order_subscribe("BTCUSDT"):
                return update

    spec_path = ROOT / "specs" / "hotbit-websocket.asyncapi.yaml"
    folder = ws_recordings_with_order_update(tmp_path / "ws", lambda _: [1, order_json])
    with WsMock(spec_path, folder, api_key=API_KEY, secret_key=secret) as ws_mock:
        update = asyncio.run(asyncio.wait_for(session(ws_mock.url), 20))
    ws_order = update.order

    assert type(rest_order) is type(ws_order) is models.Order
    assert rest_order == ws_order
    assert msgspec.to_builtins(ws_order) == msgspec.to_builtins(
        msgspec.convert(order_json, models.Order, strict=False)
    )
    assert type(update) is models.OrderUpdate and type(pending["ETHBTC"]) is models.OrderPage


def test_ws_models_is_a_view_of_models() -> None:
    """ws_models only re-exports: every name is the very class of `models`."""
    names = [n for n in ws_models.__all__ if hasattr(models, n)]
    assert names and all(getattr(ws_models, n) is getattr(models, n) for n in names)
    assert {"Order", "OrderPage", "Deal", "KlineRow"} <= set(names)
    # the WebSocket document's own names for shared schemas stay importable, as the same classes
    assert ws_models.MarketState is models.MarketStatus  # type: ignore[attr-defined]
    assert ws_models.TodayState is models.MarketStatusToday  # type: ignore[attr-defined]
    assert ws_models.AssetBalance is models.BalanceEntry  # type: ignore[attr-defined]


def _shape(t: Any) -> Any:
    """A comparable description of a msgspec type (annotations and metadata left out)."""
    import msgspec.inspect as mi

    if isinstance(t, mi.Metadata):
        return _shape(t.type)
    if isinstance(t, (mi.StructType,)):
        return ("struct", t.cls.__name__)
    if isinstance(t, mi.UnionType):
        return ("union", frozenset(_shape(x) for x in t.types))
    if isinstance(t, mi.LiteralType):
        return ("literal", tuple(t.values))
    if isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        return (type(t).__name__, _shape(t.item_type))
    if isinstance(t, mi.DictType):
        return ("dict", _shape(t.key_type), _shape(t.value_type))
    return type(t).__name__


def _signature(cls: type) -> Any:
    import msgspec.inspect as mi

    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    fields = frozenset((f.name, f.required, _shape(f.type)) for f in info.fields)
    return (info.array_like, fields)


def test_no_websocket_model_duplicates_a_rest_model() -> None:
    """A WebSocket class is never a REST class again under the same name or with the same fields."""
    from hotbit import client, websocket

    structs = {
        n: c
        for n, c in vars(models).items()
        if isinstance(c, type) and issubclass(c, msgspec.Struct) and c.__module__ == models.__name__
    }
    ws_only = {n for n in ws_models.__all__ if n in structs}
    text = Path(client.__file__).read_text()
    rest_used = {n for n in structs if f"models.{n}" in text or f"[{n}]" in text}
    rest_used |= {n for n in structs if n not in ws_only}
    assert "ws_models" not in Path(websocket.__file__).read_text()  # one module for both halves
    for name in ws_only:
        cls = structs[name]
        assert getattr(ws_models, name) is cls
        for other in rest_used - {name}:
            assert _signature(structs[other]) != _signature(cls), (
                f"ws model {name} duplicates REST model {other}"
            )
    shared = {"Order", "OrderPage", "Deal", "KlineRow", "MarketStatus", "MarketStatusToday"}
    assert shared <= ws_only and shared <= set(structs)
