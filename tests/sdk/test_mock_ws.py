"""The generic WebSocket mock exchange (generator/mock/ws.py), driven through the generated client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import hotbit
import pytest
from support import REST_API_KEY, REST_SECRET_KEY, ROOT

from generator.mock import WsMock

SPEC = ROOT / "specs" / "hotbit-websocket.asyncapi.yaml"
RECORDINGS = ROOT / "tests" / "recordings" / "ws"
pytestmark = pytest.mark.timeout(60)


def run(coro: object) -> object:
    return asyncio.run(asyncio.wait_for(coro, 20))  # type: ignore[arg-type]


def test_replays_recordings_and_checks_the_auth_signature() -> None:
    async def session(url: str) -> tuple[object, list[str], object]:
        async with hotbit.WebSocketClient(
            url=url, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY
        ) as ws:
            price = await ws.price_query("BTCUSDT")
            markets = []
            async for update in ws.depth_subscribe("BTCUSDT", 100, "0.01"):
                markets.append(update.market)
                if len(markets) == 2:
                    break
            return price, markets, await ws.asset_query("BTC")

    with WsMock(SPEC, RECORDINGS, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY) as mock:
        price, markets, assets = run(session(mock.url))  # type: ignore[misc]
        methods = [r["method"] for r in mock.requests]
    assert str(price) == "8000.00000000"
    assert markets == ["BTCUSDT", "BTCUSDT"]
    assert set(assets) >= {"BTC"}  # type: ignore[call-overload]
    assert methods[0] == "server.auth"  # sent on connect, before anything else
    assert {"price.query", "depth.subscribe", "asset.query"} <= set(methods)


def test_wrong_secret_is_refused_with_the_specs_error() -> None:
    async def session(url: str) -> None:
        async with hotbit.WebSocketClient(url=url, api_key=REST_API_KEY, secret_key="0" * 32):
            pass

    with WsMock(SPEC, RECORDINGS, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY) as mock:
        with pytest.raises(hotbit.errors.AuthenticationFailed) as info:
            run(session(mock.url))
        assert [r["method"] for r in mock.requests] == ["server.auth"]
    assert info.value.code == 11  # the auth method's own error code in the spec
    assert "0" * 32 not in str(info.value)


def test_private_method_before_auth_gets_the_specs_error() -> None:
    async def session(url: str) -> None:
        async with hotbit.WebSocketClient(url=url) as ws:
            await ws.request("asset.query", ["BTC"])

    with WsMock(SPEC, RECORDINGS) as mock, pytest.raises(hotbit.APIError) as info:
        run(session(mock.url))
    assert info.value.code == 6 and type(info.value).__name__ == "RequireAuthentication"


def test_answers_from_spec_examples_without_recordings(tmp_path: Path) -> None:
    async def session(url: str) -> tuple[object, object]:
        async with hotbit.WebSocketClient(url=url) as ws:
            return await ws.server_time(), await ws.server_ping()

    with WsMock(SPEC, None) as mock:
        when, pong = run(session(mock.url))  # type: ignore[misc]
    assert isinstance(when, int) and when > 1_000_000_000
    assert pong == "pong"


def test_the_mock_command_serves_rest_and_websocket() -> None:
    """`python -m generator mock --openapi ... --asyncapi ...`: both halves, signatures checked."""
    import re
    import subprocess
    import sys

    cmd = [
        sys.executable, "-m", "generator", "mock",
        "--openapi", str(ROOT / "specs" / "hotbit-rest.openapi.yaml"),
        "--asyncapi", str(SPEC),
        "--recordings", str(ROOT / "tests" / "recordings" / "rest"),
        "--ws-recordings", str(RECORDINGS),
        "--secret-key", REST_SECRET_KEY,
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        urls: dict[str, str] = {}
        for line in proc.stdout:  # the command prints its URLs first; pytest-timeout bounds this
            match = re.search(r"(REST mock of .*|WebSocket mock): (\S+)", line)
            if match:
                urls["rest" if match.group(1).startswith("REST") else "ws"] = match.group(2)
            if len(urls) == 2:
                break
        with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=urls["rest"]) as client:
            balances = client.balance_query(assets=["BTC", "ETH"])  # signed, checked by the mock

        async def session() -> object:
            async with hotbit.WebSocketClient(
                url=urls["ws"], api_key=REST_API_KEY, secret_key=REST_SECRET_KEY
            ) as ws:
                return await ws.asset_query("BTC")  # private: needs the auth the mock checked

        assets = run(session())
    finally:
        proc.terminate()
        proc.wait(10)
    assert "ETH" in balances and "BTC" in assets  # type: ignore[operator]
