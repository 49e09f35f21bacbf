"""generator/runtime/_transport.py without a generated SDK: retries, rate limiter, errors.

HTTP goes through httpx.MockTransport (no socket); sleeps are recorded, not slept.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from generator.runtime import _constants as C
from generator.runtime import _errors, _transport
from generator.runtime._transport import OperationInfo, RateLimiter, Request, SyncCore

READ = OperationInfo("market.list", "market_list", "GET", "/market.list", retry_safe=True)
WRITE = OperationInfo("order.put", "order_put", "POST", "/order.put", body="form")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_transport, "time", fake)
    return fake


def core(handler: Any, *, retries: int = 2, rate_limit: bool = False) -> SyncCore:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return SyncCore({}, "https://api.test", 5.0, retries, rate_limit, None, http_client=http)


def counting(*statuses: int) -> tuple[list[httpx.Request], Any]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses[min(len(seen), len(statuses)) - 1]
        return httpx.Response(
            status, json={"ok": True}, headers={"retry-after": "0"} if status == 429 else {}
        )

    return seen, handler


def test_reads_are_retried_on_5xx_and_429(clock: Clock) -> None:
    seen, handler = counting(503, 429, 200)
    raw = core(handler)._send(Request(READ), None, None)
    assert raw.status_code == 200 and len(seen) == 3
    assert len(clock.slept) == 2 and clock.slept[1] == 0.0  # Retry-After: 0 is honoured


def test_writes_are_never_retried(clock: Clock) -> None:
    seen, handler = counting(503, 200)
    with pytest.raises(_errors.ServerError):
        core(handler)._send(Request(WRITE, body={"price": "1"}), None, None)
    assert len(seen) == 1 and clock.slept == []


def test_writes_are_not_retried_after_a_connection_error(clock: Clock) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(_errors.APIConnectionError):
        core(handler)._send(Request(WRITE), None, None)
    assert len(calls) == 1
    with pytest.raises(_errors.APIConnectionError):
        core(handler, retries=3)._send(Request(READ), None, None)
    assert len(calls) == 1 + 4


def test_retry_budget_and_backoff(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    seen, handler = counting(500)
    with pytest.raises(_errors.ServerError):
        core(handler, retries=3)._send(Request(READ), None, None)
    assert len(seen) == 4
    for attempt, delay in enumerate(clock.slept):
        full = min(C.INITIAL_RETRY_DELAY * 2.0**attempt, C.MAX_RETRY_DELAY)
        assert 0.75 * full <= delay <= full  # exponential, up to 25 % jitter
    monkeypatch.setattr(C, "MAX_RETRY_AFTER", 5.0)
    assert _transport._retry_after({"retry-after": "3"}) == 3.0
    assert _transport._retry_after({"retry-after": "30"}) == 30.0  # read, but not waited for
    assert _transport._retry_after({"retry-after": "soon"}) is None
    clock.slept.clear()

    def long_wait(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(429, headers={"retry-after": "30"})

    seen.clear()
    with pytest.raises(_errors.RateLimitError) as info:
        core(long_wait, retries=3)._send(Request(READ), None, None)
    assert len(seen) == 1 and clock.slept == [] and info.value.retry_after == 30.0


def test_rate_limiter_token_bucket(clock: Clock) -> None:
    limiter = RateLimiter(2, 1.0)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.5]
    clock.now += 1.5  # refills at 2 per second, up to the capacity
    assert limiter.reserve() == 0.0
    assert RateLimiter(None, 1.0).reserve() == 0.0


def test_rate_limit_delays_requests(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "RATE_LIMIT_REQUESTS", 1)
    monkeypatch.setattr(C, "RATE_LIMIT_PERIOD", 2.0)
    _seen, handler = counting(200)
    client = core(handler, rate_limit=True)
    client._send(Request(READ), None, None)
    client._send(Request(READ), None, None)
    assert clock.slept == [2.0]


def test_status_errors_and_error_codes(clock: Clock) -> None:
    class Nope(_errors.APIError):
        pass

    _errors.register_codes({9999: Nope}, {})
    assert type(_errors.error_for("any", "9999", "no")) is Nope
    assert type(_errors.error_for("any", "x", "no")) is _errors.APIError
    _seen, handler = counting(404)
    with pytest.raises(_errors.HTTPStatusError) as info:
        core(handler)._send(Request(READ), None, None)
    assert info.value.status_code == 404


def test_form_body_query_and_path() -> None:
    op = OperationInfo("x", "x", "POST", "/orders/{id}", body="form")
    seen, handler = counting(200)
    client = core(handler)
    client._send(
        Request(op, query=[("a", "1")], body={"b": "2"}, path_params={"id": "7"}), None, None
    )
    (request,) = seen
    assert str(request.url) == "https://api.test/orders/7?a=1" and request.content == b"b=2"
    assert request.headers["user-agent"] == C.USER_AGENT
    assert "credentials=none" in repr(client)


def test_signed_operation_without_keys_sends_nothing() -> None:
    seen, handler = counting(200)
    op = OperationInfo("x.get", "x", "GET", "/p", signed=True, py_name="get_x")
    with pytest.raises(
        _errors.MissingCredentials, match="^get_x needs .*'x-signature'.*secret_key"
    ):
        core(handler)._send(Request(op), None, None)
    assert seen == []


async def test_clients_share_one_verifying_tls_context() -> None:
    import ssl

    from generator.runtime._transport import AsyncCore

    first, second = (
        SyncCore({}, "https://api.test", 5.0, 0, False, None),
        AsyncCore({}, "https://api.test", 5.0, 0, False, None),
    )
    try:
        contexts = {
            id(pool._ssl_context)  # httpx's connection pool keeps the context it was given
            for pool in (first._http._transport._pool, second._http._transport._pool)
        }
        assert contexts == {id(_transport.tls_context())}
        context = _transport.tls_context()
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    finally:
        first.close()
        await second.aclose()
