"""REST contract: every recording replays through the SDK (unit/test_rest_recordings.py checks
the recordings against the spec).

For each `tests/recordings/rest/*.json`, the recorded `call` is replayed through `hotbit.Client`
and `hotbit.AsyncClient` over loopback sockets against the generic mock (`generator/mock/rest.py`,
signature checking on): the mock's request log must equal the recorded request exactly, and the
typed result must equal the recorded body (decimals compared as `Decimal(str(wire value))`), or
the call must raise the exception the spec maps the recorded error to, carrying code, message,
method and the raw body.

The end of the file tests the mock itself (matching, fallbacks, routing, its command line).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import hotbit
import httpx
import pytest
from support import REST_API_KEY, REST_RECORDINGS, REST_SECRET_KEY, REST_SPEC, ROOT
from support.rest import RECORDINGS, SPEC, assert_matches

from generator.mock import Recording, RestMock, RestSpec

pytestmark = pytest.mark.timeout(60)

EXPECTED_OPERATIONS = 22  # operations in the REST spec, each with at least one recording


def _ids(recordings: list[Recording]) -> list[str]:
    return [r.name for r in recordings]


# --------------------------------------------------------------------------------------------
# helpers


def expected_exception(rec: Recording) -> tuple[type[Exception], dict[str, Any]] | None:
    """The exception the spec says this recording's response raises, with its attributes;
    None for a success."""
    op = SPEC.operations[rec.operation]
    if rec.json_body is None:
        return hotbit.DecodeError, {"raw": rec.body}
    if not (op.enveloped or SPEC.envelope) or not SPEC.is_error_body(rec.json_body):
        return None
    assert SPEC.envelope is not None
    error = rec.json_body[SPEC.envelope.error]
    code, message = error[SPEC.envelope.code], error[SPEC.envelope.message]
    mapped = op.errors.get(code)
    cls = getattr(hotbit.errors, mapped.name) if mapped else hotbit.APIError
    attrs = {"code": code, "message": message, "method": op.method_name, "raw": rec.body}
    return cls, attrs


def expected_result(rec: Recording) -> Any:
    """The part of the recorded body the typed result is decoded from."""
    op = SPEC.operations[rec.operation]
    if op.enveloped and SPEC.envelope is not None:
        return rec.json_body[SPEC.envelope.result]
    return rec.json_body


def assert_request_logged(mock: RestMock, rec: Recording, count: int = 1) -> None:
    seen = mock.requests
    assert len(seen) == count, f"mock saw {len(seen)} request(s), expected {count}"
    for got in seen:
        assert (got.method, got.path, got.params) == (rec.method, rec.path, dict(rec.params))
        assert got.operation_id == rec.operation


def check_outcome(rec: Recording, run: Callable[[], Any]) -> None:
    """Run the call; assert the typed result or the mapped exception."""
    expected = expected_exception(rec)
    if expected is None:
        result = run()
        compared = assert_matches(result, expected_result(rec))
        assert compared > 0 or expected_result(rec) in ([], {}), "nothing was compared"
        return
    cls, attrs = expected
    with pytest.raises(hotbit.HotbitError) as info:
        run()
    exc = info.value
    assert type(exc) is cls, f"raised {type(exc).__name__}, the spec maps this to {cls.__name__}"
    for name, value in attrs.items():
        assert getattr(exc, name) == value, (
            f"{cls.__name__}.{name}: {getattr(exc, name)!r} != {value!r}"
        )


# --------------------------------------------------------------------------------------------
# coverage


def test_recordings_cover_every_operation() -> None:
    files = sorted(REST_RECORDINGS.glob("*.json"))
    assert len(RECORDINGS) == len(files) > 0
    assert len(SPEC.operations) == EXPECTED_OPERATIONS
    recorded = {r.operation for r in RECORDINGS}
    assert recorded - set(SPEC.operations) == set(), "recordings of operations not in the spec"
    assert set(SPEC.operations) - recorded == set(), "operations without a recording"
    for rec in RECORDINGS:
        stem = rec.name.split("__", 1)[0]
        assert stem == rec.operation, f"{rec.name}.json records {rec.operation}"
    # the recordings exercise errors and a garbled body, not only successes
    assert sum(1 for r in RECORDINGS if expected_exception(r) is not None) >= 10
    assert any(r.json_body is None for r in RECORDINGS)


# --------------------------------------------------------------------------------------------
# (b) replay through the SDK


@pytest.mark.parametrize("rec", RECORDINGS, ids=_ids(RECORDINGS))
def test_replay_sync(rest_mock: RestMock, rec: Recording) -> None:
    rest_mock.prime(rec)
    with hotbit.Client(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, max_retries=0
    ) as client:
        check_outcome(rec, lambda: getattr(client, rec.operation)(**rec.call))
        assert_request_logged(rest_mock, rec)
        if expected_exception(rec) is None:  # the raw response is the recorded body, byte for byte
            rest_mock.prime(rec)
            response = getattr(client.with_raw_response, rec.operation)(**rec.call)
            assert isinstance(response, hotbit.APIResponse)
            assert (response.status_code, response.content) == (rec.status, rec.body)
            assert_matches(response.parsed, expected_result(rec))
            assert_request_logged(rest_mock, rec, count=2)


@pytest.mark.parametrize("rec", RECORDINGS, ids=_ids(RECORDINGS))
async def test_replay_async(rest_mock: RestMock, rec: Recording) -> None:
    rest_mock.prime(rec)
    client = hotbit.AsyncClient(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, max_retries=0
    )
    try:
        expected = expected_exception(rec)
        if expected is None:
            result = await getattr(client, rec.operation)(**rec.call)
            assert assert_matches(result, expected_result(rec)) > 0 or expected_result(rec) in (
                [],
                {},
            )
        else:
            cls, attrs = expected
            with pytest.raises(hotbit.HotbitError) as info:
                await getattr(client, rec.operation)(**rec.call)
            assert type(info.value) is cls
            for name, value in attrs.items():
                assert getattr(info.value, name) == value
    finally:
        await client.aclose()
    assert_request_logged(rest_mock, rec)


# --------------------------------------------------------------------------------------------
# the mock itself


def test_mock_matches_recordings_by_parameters(rest_mock: RestMock) -> None:
    with hotbit.Client(
        REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url, max_retries=0
    ) as client:
        assert client.market_last(market="ETHBTC") == Decimal("0.06805299")  # __slashless
        with pytest.raises(hotbit.errors.InvalidArgument):  # __invalid_argument
            client.market_last(market="FOO/BAR")
        # no recording has these parameters: the first non-error recording answers
        assert client.market_last(market="XYZ/ABC") == Decimal("0.07413600")
        # same parameters in two recordings (success and error): the success answers
        assert set(client.balance_query(assets=[])) == {"CTS"}
        with pytest.raises(hotbit.errors.OrderNotFound):
            client.order_cancel(market="ETH/BTC", order_id=1)
        # a recorded transient failure (a retryable code) is answered only when primed
        assert client.market_status(market="ETH/BTC", period=86400).period == 10
        (failure,) = [r for r in RECORDINGS if r.name == "market_status__internal_error"]
        rest_mock.prime(failure)
        with pytest.raises(hotbit.errors.InternalError):
            client.market_status(market="ETH/BTC", period=86400)
    assert [r.operation_id for r in rest_mock.requests] == [
        "market_last", "market_last", "market_last", "balance_query", "order_cancel",
        "market_status", "market_status",
    ]  # fmt: skip


def test_mock_without_recordings_answers_spec_examples(rest_spec: RestSpec) -> None:
    with RestMock(rest_spec) as mock, hotbit.Client(base_url=mock.url) as client:
        assert client.market_last(market="ETH/BTC") == Decimal("0.07413600")  # first example
        assert client.server_time() == 1585282798
        assert len(mock.requests) == 2


def test_mock_rejects_a_bad_signature(rest_mock: RestMock) -> None:
    with (
        hotbit.Client(REST_API_KEY, "not-the-secret", base_url=rest_mock.url) as client,
        pytest.raises(hotbit.errors.InvalidArgument) as info,
    ):
        client.balance_query(assets=["BTC", "ETH"])
    assert info.value.message == "invalid signature"
    assert json.loads(info.value.raw)["result"] is None
    # a missing signature is refused too, and unsigned operations are not checked
    url = rest_mock.url + "/p2/balance.query"
    body = httpx.post(url, data={"assets": "[]", "api_key": REST_API_KEY}, timeout=5).json()
    assert body["error"]["code"] == 1
    assert httpx.get(rest_mock.url + "/p1/server.time", timeout=5).json()["error"] is None


def test_mock_routes_by_path_and_method(rest_mock: RestMock) -> None:
    base = rest_mock.url
    # x-also-accepts: market.last is declared GET and also accepts POST (form body)
    posted = httpx.post(base + "/p1/market.last", data={"market": "ETHBTC"}, timeout=5)
    assert posted.json()["result"] == "0.06805299"
    assert httpx.delete(base + "/p1/market.last", timeout=5).status_code == 405
    assert httpx.get(base + "/p1/no.such", timeout=5).status_code == 404
    assert httpx.get(rest_mock.origin + "/p1/market.last", timeout=5).status_code == 404  # no /v2
    # a required parameter missing: the spec's error envelope
    assert httpx.get(base + "/p1/market.last", timeout=5).json()["error"]["code"] == 1
    log = rest_mock.requests
    assert [(r.method, r.operation_id) for r in log] == [
        ("POST", "market_last"), ("DELETE", None), ("GET", None), ("GET", None), ("GET", "market_last"),
    ]  # fmt: skip
    assert log[0].params == {"market": "ETHBTC"}


@pytest.mark.timeout(30)
def test_mock_command_line() -> None:
    cmd = [sys.executable, "-m", "generator", "mock", "--openapi", str(REST_SPEC),
           "--recordings", str(REST_RECORDINGS), "--secret-key", REST_SECRET_KEY,
           "--asyncapi", "specs/hotbit-websocket.asyncapi.yaml", "--package", "hotbit"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # bounded by the test timeout; "" if the process died
        assert first.startswith("REST mock of "), first + (
            proc.stderr.read() if proc.stderr else ""
        )
        url = first.rsplit(" ", 1)[1].strip()
        assert url.endswith("/v2")
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert "signature checking on" in lines[0]
        assert lines[1].startswith("WebSocket mock: ws://127.0.0.1:")
        with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=url) as client:
            assert client.market_last(market="ETHBTC") == Decimal("0.06805299")
            assert set(client.balance_query(assets=["BTC", "ETH"])) == {"0xBTC", "ETH"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
