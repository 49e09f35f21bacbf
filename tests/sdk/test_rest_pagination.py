"""`x-pagination`: iter_<operation>() pages (offset/limit) until a short page, over loopback."""

from __future__ import annotations

from typing import Any

import hotbit
from support import REST_API_KEY, REST_SECRET_KEY

from generator.mock import RestMock, Status


def deal(ident: int) -> dict[str, Any]:
    return {"time": 1526971745.3, "user": 15731, "id": ident, "side": 1, "role": 2,
            "price": "0.08", "amount": "0.4", "deal": "0.032", "fee": "0.00008",
            "deal_order_id": 8688790, "market": "ETHBTC"}  # fmt: skip


def page(offset: int, *ids: int) -> Status:
    result = {"offset": offset, "limit": 2, "records": [deal(i) for i in ids]}
    return Status(200, body={"error": None, "result": result, "id": 1})


def offsets(rest_mock: RestMock) -> list[tuple[str, str]]:
    return [(r.params["offset"], r.params["limit"]) for r in rest_mock.requests]


def test_iter_pages_until_a_short_page(rest_mock: RestMock) -> None:
    rest_mock.inject("market_user_deals", page(0, 1, 2), page(2, 3, 4), page(4, 5))
    with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as client:
        deals = list(client.iter_market_user_deals(market="ETH/BTC", limit=2))
    assert [d.id for d in deals] == [1, 2, 3, 4, 5]
    assert offsets(rest_mock) == [("0", "2"), ("2", "2"), ("4", "2")]


async def test_async_iter_stops_at_an_empty_page_and_starts_at_offset(rest_mock: RestMock) -> None:
    rest_mock.inject("market_user_deals", page(10, 1, 2), page(12))
    async with hotbit.AsyncClient(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as client:
        ids = [
            d.id async for d in client.iter_market_user_deals(market="ETH/BTC", limit=2, offset=10)
        ]
    assert ids == [1, 2]
    assert offsets(rest_mock) == [("10", "2"), ("12", "2")]


def test_the_spec_paginates_the_paged_reads() -> None:
    for name in ("order_deals", "order_finished", "market_user_deals", "order_book"):
        assert callable(getattr(hotbit.Client, f"iter_{name}"))
        assert callable(getattr(hotbit.AsyncClient, f"iter_{name}"))
