"""The generated command line (`python -m hotbit`, console script `hotbit`), run in subprocesses
where the process is what is tested (the module entry point, keys from the environment, exit
status), in-process otherwise (`main(argv)`: arguments, help, typed output, streaming).

REST calls go to the REST mock (signatures checked with the test secret) and must print exactly
what the SDK returns for the same call; keys come from the environment or flags and never show
up in the output. WebSocket calls go to the WebSocket mock (generator/mock/ws.py) replaying
tests/recordings/ws.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from support import REST_API_KEY, REST_SECRET_KEY, REST_SPEC, ROOT, WS_SPEC, load_yaml, ws_mock_for

from generator.mock import RestMock

pytestmark = pytest.mark.timeout(180)

GENERATED = ROOT / "generated"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REST = load_yaml(REST_SPEC)
WS = load_yaml(WS_SPEC)
SIGNATURE_PARAMS = {REST["x-signature"]["key-parameter"], REST["x-signature"]["parameter"]}


def rest_operations() -> list[dict[str, Any]]:
    ops = []
    for item in REST["paths"].values():
        for method in HTTP_METHODS:
            if (op := item.get(method)) is None:
                continue
            params = [
                (REST["components"]["parameters"][p["$ref"].split("/")[-1]] if "$ref" in p else p)[
                    "name"
                ]
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            for media in body.values():
                params += [
                    n for n in media["schema"].get("properties", {}) if n not in SIGNATURE_PARAMS
                ]
            ops.append(
                {
                    "name": op.get("x-method-name", op["operationId"]),
                    "id": op["operationId"],
                    "summary": op["summary"],
                    "params": params,
                }
            )
    return ops


OPERATIONS = rest_operations()


def cli(
    *args: str, keys: bool = False, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HOTBIT_")}
    environ["PYTHONPATH"] = str(GENERATED)
    if keys:
        environ.update(HOTBIT_API_KEY=REST_API_KEY, HOTBIT_SECRET_KEY=REST_SECRET_KEY)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hotbit", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


def run_main(
    *args: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    keys: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`hotbit.__main__.main(args)` in this process: the exit status, stdout and stderr as `cli` gives them."""
    from hotbit.__main__ import main

    for name in [k for k in os.environ if k.startswith("HOTBIT_")]:
        monkeypatch.delenv(name)
    if keys:
        monkeypatch.setenv("HOTBIT_API_KEY", REST_API_KEY)
        monkeypatch.setenv("HOTBIT_SECRET_KEY", REST_SECRET_KEY)
    monkeypatch.setenv("COLUMNS", "80")  # argparse's width, as in a subprocess writing to a pipe
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help and usage errors
        code = 0 if exc.code is None else exc.code
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["hotbit", *args], code, captured.out, captured.err)


def no_secrets(result: subprocess.CompletedProcess[str]) -> None:
    for secret in (REST_API_KEY, REST_SECRET_KEY):
        assert secret not in result.stdout and secret not in result.stderr


def sdk(mock: RestMock, method: str, **kwargs: Any) -> Any:
    import hotbit

    with hotbit.Client(
        api_key=REST_API_KEY, secret_key=REST_SECRET_KEY, base_url=mock.url
    ) as client:
        return msgspec.to_builtins(getattr(client, method)(**kwargs))


# ------------------------------------------------------------------ help from the spec


def test_console_script_is_declared() -> None:
    project = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"hotbit": "hotbit.__main__:main"}


def test_help_lists_every_operation_with_its_summary() -> None:
    result = cli("--help")
    assert result.returncode == 0, result.stderr
    listed = " ".join(result.stdout.split())
    for op in OPERATIONS:
        entry = op["name"] if op["name"] == op["id"] else f"{op['name']} ({op['id']})"
        assert f" {entry} " in listed, op["name"]
        assert " ".join(op["summary"].split()) in listed, op["summary"]
    assert "hotbit ws --help" in listed


def test_operation_help_shows_its_parameters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for op in OPERATIONS:
        result = run_main(op["name"], "--help", capsys=capsys, monkeypatch=monkeypatch)
        assert result.returncode == 0, (op["name"], result.stderr)
        text = " ".join(result.stdout.split())
        assert " ".join(op["summary"].split()) in text
        for name in op["params"]:
            assert f"--{name}" in text, (op["name"], name)
        for hidden in SIGNATURE_PARAMS:
            assert f"--{hidden} " not in text


# ------------------------------------------------------------------ REST calls


def test_unsigned_call_prints_the_typed_result(
    rest_mock: RestMock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def main(*args: str) -> subprocess.CompletedProcess[str]:
        return run_main(*args, capsys=capsys, monkeypatch=monkeypatch)

    result = main("market.last", "--market", "ETH/BTC", "--base-url", rest_mock.url)
    assert result.returncode == 0, result.stderr
    assert (
        json.loads(result.stdout) == sdk(rest_mock, "market_last", market="ETH/BTC") == "0.07413600"
    )
    by_id = main(
        "market_last", "--market", "ETH/BTC", "--base-url", rest_mock.url
    )  # operationId works too
    assert by_id.stdout == result.stdout
    (first, _, second) = rest_mock.requests
    assert first.params == second.params == {"market": "ETH/BTC"}


def test_signed_call_with_keys_from_the_environment(rest_mock: RestMock) -> None:
    result = cli("balance.query", "--assets", "BTC", "ETH", "--base-url", rest_mock.url, keys=True)
    assert result.returncode == 0, result.stderr
    no_secrets(result)
    assert json.loads(result.stdout) == sdk(rest_mock, "balance_query", assets=["BTC", "ETH"])
    cli_request, sdk_request = rest_mock.requests
    assert cli_request.params == sdk_request.params
    assert (
        cli_request.params["assets"] == '["BTC","ETH"]'
        and cli_request.params["sign"] == "C88F04701D3349D0A93A0164DC5A4CD9"
    )
    as_json = cli(
        "balance.query", "--assets", '["BTC","ETH"]', "--base-url", rest_mock.url, keys=True
    )
    assert as_json.stdout == result.stdout
    assert rest_mock.requests[-1].params == cli_request.params


def test_typed_arguments_and_keys_from_flags(
    rest_mock: RestMock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def main(*args: str, keys: bool = False) -> subprocess.CompletedProcess[str]:
        return run_main(*args, capsys=capsys, monkeypatch=monkeypatch, keys=keys)

    args = [
        "order.batch_cancel",
        "--market",
        "ETH/BTC",
        "--orders_id",
        "8688803",
        "1",
        "--base-url",
        rest_mock.url,
        "--api-key",
        REST_API_KEY,
        "--secret-key",
        REST_SECRET_KEY,
    ]
    result = main(*args)
    assert result.returncode == 0, result.stderr
    no_secrets(result)
    assert json.loads(result.stdout) == sdk(
        rest_mock, "order_batch_cancel", market="ETH/BTC", orders_id=[8688803, 1]
    )
    assert rest_mock.requests[0].params["orders_id"] == "[8688803,1]"
    pending = main(
        "order.pending",
        "--market",
        "ETHBTC",
        "--offset",
        "0",
        "--limit",
        "100",
        "--base-url",
        rest_mock.url,
        keys=True,
    )
    assert pending.returncode == 0, pending.stderr
    assert json.loads(pending.stdout) == sdk(
        rest_mock, "order_pending", market="ETHBTC", offset=0, limit=100
    )
    put = main(
        "order.put_limit",
        "--market",
        "ETHBTC",
        "--side",
        "2",
        "--amount",
        "0.4",
        "--price",
        "0.08",
        "--isfee",
        "0",
        "--base-url",
        rest_mock.url,
        keys=True,
    )
    assert put.returncode == 0, put.stderr
    assert (
        rest_mock.requests_for("order_put_limit")[0].params["sign"]
        == "8294D70DE6971E23F82D17A544BB6320"
    )


def test_ndjson_prints_one_line_per_item(
    rest_mock: RestMock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_main(
        "market.deals",
        "--market",
        "ETH/BTC",
        "--limit",
        "10",
        "--last_id",
        "0",
        "--ndjson",
        "--base-url",
        rest_mock.url,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = sdk(rest_mock, "market_deals", market="ETH/BTC", limit=10, last_id=0)
    assert [json.loads(line) for line in lines] == expected and len(lines) == len(expected) > 0


def test_error_answer_exit_status_and_no_secrets(rest_mock: RestMock) -> None:
    result = cli(
        "balance.query",
        "--assets",
        "BTC",
        "--base-url",
        rest_mock.url,
        env={"HOTBIT_API_KEY": REST_API_KEY, "HOTBIT_SECRET_KEY": "0" * 32},
    )
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(result.stderr) == {
        "error": {"method": "balance.query", "code": 1, "message": "invalid signature"}
    }
    no_secrets(result)
    missing = cli("balance.query", "--assets", "BTC", "--base-url", rest_mock.url)
    assert missing.returncode == 1 and "MissingCredentials" in missing.stderr
    assert len(rest_mock.requests) == 1  # nothing sent without keys


def test_bad_values_are_usage_errors(
    rest_mock: RestMock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (
        ["order.book", "--market", "ETH/BTC", "--side", "3", "--offset", "0", "--limit", "10"],
        ["order.book", "--market", "ETH/BTC", "--side", "1", "--offset", "x", "--limit", "10"],
        ["market.last"],
        ["no.such.method"],
    ):
        result = run_main(
            *args, "--base-url", rest_mock.url, capsys=capsys, monkeypatch=monkeypatch
        )
        assert result.returncode == 2, args
        assert result.stderr.startswith("usage: hotbit"), args
    assert rest_mock.requests == []


# ------------------------------------------------------------------ WebSocket


@pytest.fixture
def ws_url() -> Iterator[str]:
    """The WebSocket mock on its own event loop in a thread, for the CLI (its own event loop)."""
    with ws_mock_for() as mock:  # stop() raises if the thread does not end
        yield mock.url


def ws_sdk(url: str, method: str, *args: Any, count: int = 0) -> Any:
    import hotbit

    async def run() -> Any:
        async with hotbit.WebSocketClient(
            url, api_key=REST_API_KEY, secret_key=REST_SECRET_KEY
        ) as ws:
            call = getattr(ws, method)(*args)
            if not count:
                return msgspec.to_builtins(await asyncio.wait_for(call, 30))
            pushes = []
            async with call as subscription:
                async for push in subscription:
                    pushes.append(msgspec.to_builtins(push))
                    if len(pushes) == count:
                        return pushes
        return None

    return asyncio.run(asyncio.wait_for(run(), 60))


def test_ws_help_lists_the_methods() -> None:
    result = cli("ws", "--help")
    assert result.returncode == 0, result.stderr
    names = [
        m["x-rpc-method"]["name"]
        for m in WS["components"]["messages"].values()
        if m["x-rpc-method"]["kind"] in ("request", "subscribe")
    ]
    auth = WS["x-rpc"]["auth"]["method"]
    for name in names:
        assert (name in result.stdout) == (name != auth), name


def test_ws_request_prints_the_reply(
    ws_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_main(
        "ws", "price.query", "BTCBCC", "--url", ws_url, capsys=capsys, monkeypatch=monkeypatch
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ws_sdk(ws_url, "price_query", "BTCBCC") == "8000.00000000"


def test_ws_private_request_with_keys_from_the_environment(ws_url: str) -> None:
    result = cli("ws", "asset.query", "BTC", "ETH", "--url", ws_url, keys=True)
    assert result.returncode == 0, result.stderr
    no_secrets(result)
    assert json.loads(result.stdout) == ws_sdk(ws_url, "asset_query", "BTC", "ETH")
    missing = cli("ws", "asset.query", "BTC", "--url", ws_url)
    assert missing.returncode == 1 and "MissingCredentials" in missing.stderr


def test_ws_subscription_streams_pushes_as_ndjson(
    ws_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def main(*args: str) -> subprocess.CompletedProcess[str]:
        return run_main(*args, capsys=capsys, monkeypatch=monkeypatch)

    result = main(
        "ws", "depth.subscribe", "BTCUSDT", "100", "0.01", "--count", "3", "--url", ws_url
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [json.loads(line) for line in lines] == ws_sdk(
        ws_url, "depth_subscribe", "BTCUSDT", 100, "0.01", count=3
    )
    bad = main("ws", "depth.subscribe", "BTCUSDT", "7", "0.01", "--count", "1", "--url", ws_url)
    assert bad.returncode == 2 and "is not one of" in bad.stderr
