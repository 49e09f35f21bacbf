"""The SDK under faults injected by the mock: retries, timeouts, dropped connections, garbage,
every mapped error envelope, missing credentials, parameter checks, secrets in logs and the rate
limiter.

No test measures wall-clock time: waits the SDK would sleep go through a fake clock patched into
`hotbit._transport` (its `time` module, and `asyncio` for the async client), so retry delays and
the token bucket are checked by arithmetic. Timeouts use a short client timeout against a mock
that holds the request (`Delay`), released when the mock stops.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import hotbit
import httpx
import pytest
from hotbit import _constants, _transport
from support import REST_API_KEY, REST_SECRET_KEY

from generator.mock import Close, Delay, Garbage, Recording, RestMock, RestSpec, Status

pytestmark = pytest.mark.timeout(60)

SHORT_TIMEOUT = 0.5  # seconds: the client gives up on a held request after this


class FakeClock:
    """Stands in for the `time` module inside hotbit._transport: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    @property
    def waits(self) -> list[float]:
        """The sleeps that actually waited (the limiter sleeps 0 when a token is free)."""
        return [s for s in self.sleeps if s]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_transport, "time", fake)
    monkeypatch.setattr(_transport, "asyncio", SimpleNamespace(sleep=fake.async_sleep))
    return fake


@pytest.fixture
def client(rest_mock: RestMock) -> Iterator[hotbit.Client]:
    with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as c:
        yield c


def first_call(recordings: list[Recording], operation: str) -> dict[str, Any]:
    """The `call` of the operation's first recording (a successful one if there is any)."""
    mine = [r for r in recordings if r.operation == operation]
    assert mine, f"no recording of {operation}"
    return dict(mine[0].call)


PUT_LIMIT = {"market": "ETHBTC", "side": 2, "amount": "0.4", "price": "0.08", "isfee": 0}


# --------------------------------------------------------------------------------------------
# retries


def test_5xx_then_success_on_a_read_is_retried(rest_mock: RestMock, client: hotbit.Client) -> None:
    rest_mock.inject("market_last", Status(503, body=b"busy", headers={"Retry-After": "0"}))
    assert client.market_last(market="ETH/BTC") == Decimal("0.07413600")
    seen = rest_mock.requests
    assert len(seen) == 2
    assert seen[0].params == seen[1].params == {"market": "ETH/BTC"}


async def test_5xx_then_success_on_a_read_is_retried_async(rest_mock: RestMock) -> None:
    rest_mock.inject("market_deals", Status(500, headers={"Retry-After": "0"}))
    client = hotbit.AsyncClient(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url)
    try:
        deals = await client.market_deals(market="ETH/BTC", limit=1, last_id=1)
    finally:
        await client.aclose()
    assert [d.id for d in deals] == [304861006]
    assert len(rest_mock.requests) == 2


def test_5xx_on_order_put_limit_is_not_retried(rest_mock: RestMock, client: hotbit.Client) -> None:
    rest_mock.inject("order_put_limit", Status(503, headers={"Retry-After": "0"}), Status(503))
    with pytest.raises(hotbit.ServerError) as info:
        client.order_put_limit(**PUT_LIMIT)
    assert info.value.status_code == 503
    assert len(rest_mock.requests) == 1
    assert rest_mock.pending_faults("order_put_limit") == 1  # the second fault was never used


async def test_5xx_on_order_put_limit_is_not_retried_async(rest_mock: RestMock) -> None:
    rest_mock.inject("order_put_limit", Status(502, headers={"Retry-After": "0"}))
    client = hotbit.AsyncClient(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url)
    try:
        with pytest.raises(hotbit.ServerError):
            await client.order_put_limit(**PUT_LIMIT)
    finally:
        await client.aclose()
    assert len(rest_mock.requests) == 1


def test_429_retry_after_is_honoured(rest_mock: RestMock, clock: FakeClock) -> None:
    rest_mock.inject("server_time", Status(429, headers={"Retry-After": "3"}))
    with hotbit.Client(base_url=rest_mock.url) as client:
        assert client.server_time() == 1585282798
    assert clock.waits == [3.0]  # exactly the server's Retry-After, no jitter
    assert len(rest_mock.requests) == 2


def test_429_until_retries_run_out_raises_rate_limited(
    rest_mock: RestMock, clock: FakeClock
) -> None:
    rest_mock.inject("server_time", *[Status(429, headers={"Retry-After": "2"})] * 3)
    with (
        hotbit.Client(base_url=rest_mock.url, max_retries=2) as client,
        pytest.raises(hotbit.RateLimited),
    ):
        client.server_time()
    assert len(rest_mock.requests) == 3
    assert clock.waits == [2.0, 2.0]


def test_retry_without_retry_after_backs_off_exponentially(
    rest_mock: RestMock, clock: FakeClock
) -> None:
    rest_mock.inject("asset_list", Status(502), Status(504))
    with hotbit.Client(base_url=rest_mock.url, max_retries=2) as client:
        assert [a.name for a in client.asset_list()] == ["BTC", "ETH", "USDT"]
    assert len(rest_mock.requests) == 3
    first, second = clock.waits
    base = _constants.INITIAL_RETRY_DELAY
    assert 0.75 * base <= first <= base  # jitter takes off at most a quarter
    assert 0.75 * 2 * base <= second <= 2 * base


# --------------------------------------------------------------------------------------------
# timeouts, dropped connections, garbage


def test_timeout_on_order_put_limit_is_not_retried(
    rest_mock: RestMock, client: hotbit.Client
) -> None:
    rest_mock.inject("order_put_limit", Delay(60), Delay(60))
    with pytest.raises(hotbit.APITimeoutError):
        client.order_put_limit(**PUT_LIMIT, timeout=SHORT_TIMEOUT)
    rest_mock.wait_for_requests(1)
    assert len(rest_mock.requests) == 1
    assert rest_mock.pending_faults("order_put_limit") == 1


async def test_timeout_async(rest_mock: RestMock) -> None:
    rest_mock.inject("order_cancel", Delay(60))
    client = hotbit.AsyncClient(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, timeout=SHORT_TIMEOUT
    )
    try:
        with pytest.raises(hotbit.APITimeoutError):
            await client.order_cancel(market="ETH/BTC", order_id=8688803)
    finally:
        await client.aclose()
    assert len(rest_mock.wait_for_requests(1)) == 1


def test_timeouts_on_a_read_are_retried(rest_mock: RestMock, clock: FakeClock) -> None:
    rest_mock.inject("market_last", Delay(60), Delay(60))
    with hotbit.Client(base_url=rest_mock.url, timeout=SHORT_TIMEOUT, max_retries=1) as client:
        with pytest.raises(hotbit.APITimeoutError):
            client.market_last(market="ETH/BTC")
        assert len(rest_mock.wait_for_requests(2)) == 2
        rest_mock.clear()
        rest_mock.inject("market_last", Delay(60))  # one timeout, then the normal answer
        assert client.market_last(market="ETH/BTC") == Decimal("0.07413600")
    assert len(rest_mock.requests) == 2


def test_dropped_connection_raises_connection_error(
    rest_mock: RestMock, client: hotbit.Client
) -> None:
    rest_mock.inject("order_cancel", Close())
    with pytest.raises(hotbit.APIConnectionError) as info:
        client.order_cancel(market="ETH/BTC", order_id=8688803)
    assert not isinstance(info.value, hotbit.APITimeoutError)
    assert len(rest_mock.requests) == 1


def test_dropped_connection_on_a_read(rest_mock: RestMock, clock: FakeClock) -> None:
    rest_mock.inject("market_list", Close(), Close())
    with hotbit.Client(base_url=rest_mock.url, max_retries=0) as client:
        with pytest.raises(hotbit.APIConnectionError):
            client.market_list()
        assert len(rest_mock.requests) == 1
    with hotbit.Client(base_url=rest_mock.url, max_retries=1) as client:
        assert [m.name for m in client.market_list()] == ["QASHBTC", "QASHETH"]  # Close, then OK
    assert len(rest_mock.requests) == 3


@pytest.mark.parametrize("operation", ["market_status24h", "market_summary", "balance_query"])
def test_garbled_body_raises_decode_error_with_raw(
    rest_mock: RestMock, rest_recordings: list[Recording], client: hotbit.Client, operation: str
) -> None:
    garbage = b'{"result": [1, 2,, "error": nul'
    rest_mock.inject(operation, Garbage(garbage))
    with pytest.raises(hotbit.DecodeError) as info:
        getattr(client, operation)(**first_call(rest_recordings, operation))
    assert info.value.raw == garbage
    assert info.value.response is not None and info.value.response.content == garbage
    assert len(rest_mock.requests) == 1  # a 200 with garbage is not retried


# --------------------------------------------------------------------------------------------
# error envelopes


def test_every_mapped_error_raises_its_class(
    rest_mock: RestMock, rest_spec: RestSpec, rest_recordings: list[Recording]
) -> None:
    assert rest_spec.envelope is not None
    env = rest_spec.envelope
    expected = sum(len(op.errors) for op in rest_spec.operations.values())
    checked: list[tuple[str, int]] = []
    with hotbit.Client(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, rate_limit=False
    ) as client:
        for op in rest_spec.operations.values():
            call = first_call(rest_recordings, op.operation_id)
            for code, error in sorted(op.errors.items()):
                message = f"{error.message or error.name} (injected)"
                body = {
                    env.error: {env.code: code, env.message: message},
                    env.result: None,
                    "id": 7,
                }
                rest_mock.inject(op.operation_id, Status(200, body=body))
                with pytest.raises(hotbit.APIError) as info:
                    getattr(client, op.operation_id)(**call)
                exc = info.value
                assert type(exc).__name__ == error.name, (
                    f"{op.method_name} {code}: {type(exc).__name__}"
                )
                assert type(exc) is getattr(hotbit.errors, error.name)
                assert (exc.code, exc.message, exc.method) == (code, message, op.method_name)
                assert exc.retryable is error.retryable
                assert exc.raw is not None and b'"error"' in exc.raw
                checked.append((op.method_name, code))
            # an unmapped code raises APIError itself
            rest_mock.inject(
                op.operation_id,
                Status(200, body={env.error: {env.code: 999, env.message: "?"}, env.result: None}),
            )
            with pytest.raises(hotbit.APIError) as info:
                getattr(client, op.operation_id)(**call)
            assert type(info.value) is hotbit.APIError and info.value.code == 999
    assert len(checked) == len(set(checked)) == expected > len(rest_spec.operations)
    # every request reached the mock once (error envelopes are HTTP 200: never retried)
    assert len(rest_mock.requests) == expected + len(rest_spec.operations)


# --------------------------------------------------------------------------------------------
# checks before any I/O


def test_signed_operations_without_keys_raise_missing_credentials(
    rest_mock: RestMock, rest_spec: RestSpec, rest_recordings: list[Recording]
) -> None:
    signed = [op for op in rest_spec.operations.values() if op.signed]
    assert len(signed) >= 5
    for kwargs in ({}, {"api_key": REST_API_KEY}, {"secret_key": REST_SECRET_KEY}):
        with hotbit.Client(base_url=rest_mock.url, **kwargs) as client:
            for op in signed:
                with pytest.raises(hotbit.MissingCredentials):
                    getattr(client, op.operation_id)(**first_call(rest_recordings, op.operation_id))
    assert rest_mock.requests == []


async def test_missing_credentials_async(rest_mock: RestMock) -> None:
    client = hotbit.AsyncClient(base_url=rest_mock.url)
    try:
        with pytest.raises(hotbit.MissingCredentials):
            await client.balance_query(assets=[])
    finally:
        await client.aclose()
    assert rest_mock.requests == []


@pytest.mark.parametrize(
    ("operation", "kwargs", "parameter"),
    [
        ("order_depth", {"market": "ETH/BTC", "limit": 7, "interval": "0"}, "limit"),  # enum
        ("order_depth", {"market": "ETH/BTC", "limit": 5, "interval": "0.5"}, "interval"),  # enum
        ("market_deals", {"market": "ETH/BTC", "limit": 0, "last_id": 0}, "limit"),  # minimum
        ("market_deals", {"market": "ETH/BTC", "limit": 1001, "last_id": 0}, "limit"),  # maximum
        (
            "market_kline",
            {"market": "ETH/BTC", "start_time": 0, "end_time": 1, "interval": 60},
            "start_time",
        ),
        ("order_put_limit", {**PUT_LIMIT, "side": 3}, "side"),  # enum
        ("order_put_limit", {**PUT_LIMIT, "amount": "1,5"}, "amount"),  # not a decimal
        ("order_batch_cancel", {"market": "ETH/BTC", "orders_id": list(range(1, 12))}, "orders_id"),
        ("market_last", {"market": "ETH BTC"}, "market"),  # pattern
    ],
)
def test_parameter_errors_are_raised_before_any_request(
    rest_mock: RestMock,
    client: hotbit.Client,
    operation: str,
    kwargs: dict[str, Any],
    parameter: str,
) -> None:
    with pytest.raises(hotbit.ParameterError) as info:
        getattr(client, operation)(**kwargs)
    assert info.value.parameter == parameter
    assert rest_mock.requests == []


# --------------------------------------------------------------------------------------------
# secrets


def test_secrets_stay_out_of_repr_errors_and_logs(
    rest_mock: RestMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "hotbit"):
        caplog.set_level(logging.DEBUG, logger=name)
    secrets = [REST_SECRET_KEY, REST_API_KEY]
    texts: list[str] = []
    with hotbit.Client(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, max_retries=1
    ) as client:
        texts += [repr(client), str(client)]
        assert set(client.balance_query(assets=["BTC", "ETH"])) == {"0xBTC", "ETH"}
        rest_mock.inject("order_put_limit", Status(503), Delay(60), Close(), Garbage())
        rest_mock.inject(
            "balance_query",
            Status(503, headers={"Retry-After": "0"}),
            Status(502, headers={"Retry-After": "0"}),
        )
        calls = [
            lambda: client.order_cancel(market="ETH/BTC", order_id=1),  # error envelope
            lambda: client.order_put_limit(**PUT_LIMIT),  # 503
            lambda: client.order_put_limit(**PUT_LIMIT, timeout=SHORT_TIMEOUT),  # timeout
            lambda: client.order_put_limit(**PUT_LIMIT),  # dropped
            lambda: client.order_put_limit(**PUT_LIMIT),  # garbage
            lambda: client.balance_query(assets=[]),  # retried, then 5xx
        ]
        raised = []
        for call in calls:
            with pytest.raises(hotbit.HotbitError) as info:
                call()
            raised.append(type(info.value).__name__)
            texts += [
                str(info.value),
                repr(info.value),
                repr(getattr(info.value, "response", None)),
            ]
    assert raised == ["OrderNotFound", "InternalServerError", "APITimeoutError", "APIConnectionError",
                      "DecodeError", "InternalServerError"]  # fmt: skip
    with hotbit.Client(base_url=rest_mock.url) as public:  # MissingCredentials' message
        with pytest.raises(hotbit.MissingCredentials) as missing:
            public.balance_query(assets=[])
        texts.append(str(missing.value))
    records = [r.getMessage() for r in caplog.records]
    assert any(r.name.startswith("httpx") for r in caplog.records), "httpx logged nothing"
    assert len(records) >= len(calls)
    for secret in secrets:
        for text in [*texts, *records, caplog.text]:
            assert secret not in text


def test_credentials_in_a_query_string_are_redacted_in_httpx_logs(
    rest_mock: RestMock, caplog: pytest.LogCaptureFixture
) -> None:
    # No signed operation of this spec is a GET, so send a signed-looking GET with httpx itself
    # after a client has installed its redaction filter on the "httpx" logger.
    caplog.set_level(logging.DEBUG, logger="httpx")
    hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url).close()
    params = {
        "market": "ETH/BTC",
        "api_key": REST_API_KEY,
        "sign": "C88F04701D3349D0A93A0164DC5A4CD9",
    }
    with httpx.Client() as raw:
        assert (
            raw.get(rest_mock.url + "/p1/market.last", params=params, timeout=5).status_code == 200
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("market.last" in line for line in lines), lines
    assert REST_API_KEY not in caplog.text and "C88F04701D3349D0A93A0164DC5A4CD9" not in caplog.text
    assert "api_key=***" in caplog.text and "sign=***" in caplog.text
    # the filter on its own
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "GET %s",
        (f"http://h/p?api_key={REST_API_KEY}&market=ETH&sign=ABC",),
        None,
    )
    assert _transport.RedactCredentials().filter(record)
    assert record.getMessage() == "GET http://h/p?api_key=***&market=ETH&sign=***"


# --------------------------------------------------------------------------------------------
# rate limiter: token-bucket arithmetic on a fake clock, never wall-clock time


def test_rate_limit_constants_follow_the_spec(rest_spec: RestSpec) -> None:
    limit = rest_spec.root["x-rate-limit"]
    assert (_constants.RATE_LIMIT_REQUESTS, _constants.RATE_LIMIT_PERIOD) == (
        limit["requests"],
        limit["per"],
    )


def test_token_bucket_arithmetic(clock: FakeClock) -> None:
    n, per, k = _constants.RATE_LIMIT_REQUESTS, _constants.RATE_LIMIT_PERIOD, 5
    limiter = _transport.RateLimiter(n, per)
    delays = [limiter.reserve() for _ in range(n + k)]  # all at the same instant
    assert delays[:n] == [0.0] * n  # a full bucket: n requests at once
    assert delays[n:] == pytest.approx([j * per / n for j in range(1, k + 1)])
    clock.now += k * per / n  # the last reserved slot arrives: the bucket is empty again
    assert limiter.reserve() == pytest.approx(per / n)
    clock.now += 10 * per  # long idle: refills to capacity, never beyond
    assert [limiter.reserve() for _ in range(n)] == [0.0] * n
    assert limiter.reserve() == pytest.approx(per / n)
    assert _transport.RateLimiter(None, per).reserve() == 0.0  # rate_limit=False


def test_client_waits_for_the_rate_limit(rest_mock: RestMock, clock: FakeClock) -> None:
    n, per, k = _constants.RATE_LIMIT_REQUESTS, _constants.RATE_LIMIT_PERIOD, 4
    with hotbit.Client(base_url=rest_mock.url) as client:
        for _ in range(n + k):
            assert client.server_time() == 1585282798
    assert len(rest_mock.requests) == n + k
    # the first n calls do not wait; each later one waits one slot (per/n) on the fake clock
    assert clock.waits == pytest.approx([per / n] * k)
    assert sum(clock.waits) >= k * per / n - 1e-9
    with hotbit.Client(base_url=rest_mock.url, rate_limit=False) as unlimited:
        for _ in range(n + k):
            unlimited.server_time()
    assert len(clock.waits) == k  # rate_limit=False never waits


async def test_async_client_waits_for_the_rate_limit(rest_mock: RestMock, clock: FakeClock) -> None:
    n, per, k = _constants.RATE_LIMIT_REQUESTS, _constants.RATE_LIMIT_PERIOD, 3
    client = hotbit.AsyncClient(base_url=rest_mock.url)
    try:
        for _ in range(n + k):
            assert await client.server_time() == 1585282798
    finally:
        await client.aclose()
    assert len(rest_mock.requests) == n + k
    assert clock.waits == pytest.approx([per / n] * k)
