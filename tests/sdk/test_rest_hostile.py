"""The REST client against hostile servers, over loopback: bodies httpx cannot decode, bad URLs,
redirects, a long Retry-After, the pair-not-found code, and the exception tree users know from
Stainless SDKs (everything under the SDK's root error)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import SimpleNamespace

import hotbit
import pytest
from hotbit import _transport
from support import REST_API_KEY, REST_SECRET_KEY

from generator.mock import RestMock, Status

pytestmark = pytest.mark.timeout(60)


class NoSleep:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    fake = NoSleep()
    monkeypatch.setattr(_transport.time, "sleep", fake.sleep)
    monkeypatch.setattr(_transport, "asyncio", SimpleNamespace(sleep=fake.async_sleep))
    return fake.sleeps


@pytest.fixture
def client(rest_mock: RestMock) -> Iterator[hotbit.Client]:
    with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as c:
        yield c


def test_a_body_httpx_cannot_inflate_is_a_decode_error(
    rest_mock: RestMock, client: hotbit.Client
) -> None:
    rest_mock.inject("server_time", Status(200, b"\x1f\x8bnot gzip", {"Content-Encoding": "gzip"}))
    with pytest.raises(hotbit.DecodeError) as info:
        client.server_time()
    assert isinstance(info.value, hotbit.HotbitError)
    assert info.value.__cause__ is None or not isinstance(info.value, type(info.value.__cause__))


async def test_a_body_httpx_cannot_inflate_is_a_decode_error_async(rest_mock: RestMock) -> None:
    rest_mock.inject("server_time", Status(200, b"\x1f\x8bnot gzip", {"Content-Encoding": "gzip"}))
    async with hotbit.AsyncClient(base_url=rest_mock.url) as client:
        with pytest.raises(hotbit.DecodeError):
            await client.server_time()


@pytest.mark.parametrize("url", ["http://[::1", "http://exa mple.com:99999", "ftp://x", "nonsense"])
def test_a_malformed_base_url_raises_the_sdks_error(url: str) -> None:
    with pytest.raises(hotbit.HotbitError), hotbit.Client(base_url=url) as client:
        client.server_time(timeout=1)


def test_a_redirect_is_a_status_error_with_its_body(
    rest_mock: RestMock, client: hotbit.Client
) -> None:
    rest_mock.inject("server_time", Status(302, "moved", {"Location": "http://elsewhere/"}))
    with pytest.raises(hotbit.APIStatusError) as info:
        client.server_time()
    error = info.value
    assert error.status_code == 302 and error.response.content == b"moved"
    assert error.response.headers["location"] == "http://elsewhere/"
    assert "302" in str(error) and "http://elsewhere/" in str(error)
    assert len(rest_mock.requests) == 1  # not retried


def test_retry_after_beyond_the_cap_is_not_retried(
    rest_mock: RestMock, sleeps: list[float]
) -> None:
    rest_mock.inject("server_time", Status(429, headers={"Retry-After": "3600"}), Status(429))
    client = hotbit.Client(base_url=rest_mock.url, max_retries=2)
    with client, pytest.raises(hotbit.RateLimitError) as info:
        client.server_time()
    assert info.value.retry_after == 3600.0
    assert len(rest_mock.requests) == 1 and [s for s in sleeps if s] == []


def test_retry_after_within_the_cap_is_carried_too(
    rest_mock: RestMock, sleeps: list[float]
) -> None:
    rest_mock.inject("server_time", *[Status(503, headers={"Retry-After": "2"})] * 3)
    client = hotbit.Client(base_url=rest_mock.url, max_retries=2)
    with client, pytest.raises(hotbit.InternalServerError) as info:
        client.server_time()
    assert info.value.retry_after == 2.0 and info.value.status_code == 503
    assert [s for s in sleeps if s] == [2.0, 2.0]


def test_code_4_on_order_put_limit_is_pair_not_found(
    rest_mock: RestMock, client: hotbit.Client
) -> None:
    # the recorded reply to an order on an unknown market (hummingbot 2023 fixture)
    with pytest.raises(hotbit.errors.PairNotFound) as info:
        client.order_put_limit(market="COINALPHAHBOT", side=2, amount="0.4", price="0.08", isfee=0)
    assert isinstance(info.value, hotbit.APIError) and info.value.code == 4
    assert info.value.message == "pair not found"
    # code 4 elsewhere keeps the root table's meaning
    assert type(hotbit.errors.error_for("server.time", 4, "")) is hotbit.errors.MethodNotFound


def test_the_exception_tree_is_the_stainless_one() -> None:
    e = hotbit.errors
    tree = {
        e.APIError: e.HotbitError,
        e.APIStatusError: e.APIError,
        e.RateLimitError: e.APIStatusError,
        e.InternalServerError: e.APIStatusError,
        e.APIConnectionError: e.HotbitError,
        e.APITimeoutError: e.APIConnectionError,
        e.ConnectionLost: e.APIConnectionError,
        e.RequestTimeout: e.APITimeoutError,
        e.DecodeError: e.HotbitError,
        e.ParameterError: e.HotbitError,
        e.MissingCredentials: e.HotbitError,
        e.InvalidArgument: e.APIError,
    }
    for cls, parent in tree.items():
        assert issubclass(cls, parent), (cls, parent)
    assert not issubclass(e.APIConnectionError, e.APIError)
    assert not issubclass(e.InvalidArgument, e.APIStatusError)
    # today's names stay, as aliases
    assert e.RateLimited is e.RateLimitError and e.ServerError is e.InternalServerError
    assert e.HTTPStatusError is e.APIStatusError
    # every exception class the SDK exports derives from the root
    classes = [v for _, v in inspect.getmembers(e, inspect.isclass) if issubclass(v, BaseException)]
    assert len(classes) > 20
    assert [c for c in classes if not issubclass(c, e.HotbitError)] == []
    assert e.HotbitError.__name__ == "HotbitError"
