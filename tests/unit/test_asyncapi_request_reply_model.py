"""AsyncAPI 3.0 request/reply on a real exchange document: every `send` operation of Binance's
spot WebSocket API with a `reply` (and a `correlationId`) becomes an awaitable method returning
its typed reply, and the package imports (its `mypy --strict`: integration/test_real_world.py,
every document of the shared corpus). The loopback behaviour (reply, timeout, disconnect) is in
sdk/test_asyncapi_request_reply.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.load import Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi
from generator.pipeline import generate

pytestmark = pytest.mark.timeout(300)

BINANCE = (
    Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus"))
    / "exchanges"
    / "asyncapi"
    / "binance-spot.asyncapi.yaml"
)


@pytest.fixture(scope="module")
def api() -> WsApi:
    if not BINANCE.is_file():
        pytest.fail(f"missing {BINANCE} (set SPEC_CORPUS)", pytrace=False)
    doc = load_document(BINANCE)
    return build_ws_api(doc, Resolver(doc), "binance_spot")


@pytest.fixture(scope="module")
def package(api: WsApi, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("binance") / "sdk"
    generate(openapi=None, asyncapi=str(BINANCE), out=out, package="binance_spot")
    return out


def test_every_operation_with_a_reply_is_a_request(api: WsApi) -> None:
    [channel] = api.channels
    requests = {r.name: r for r in channel.requests}
    assert len(requests) == 49
    depth = requests["depth"]
    assert (depth.py_name, depth.request.name, [m.name for m in depth.replies]) == (
        "depth",
        "Order book Request",
        ["Order book Response"],
    )
    assert (depth.request_id, depth.reply_id, depth.id_kind) == (("id",), ("id",), "string")
    assert str(depth.result) == "models.DepthResponse"
    # Nothing is dropped: the request and reply messages are still sent and received as such.
    assert {m.name for m in channel.sends} >= {r.request.name for r in requests.values()}


def test_the_package_imports_with_49_awaitable_methods(package: Path) -> None:
    script = textwrap.dedent(
        """
        import inspect, json, typing
        import binance_spot.websocket as w
        import binance_spot.models as m
        out = {}
        for name, f in inspect.getmembers(w.WebSocketClient, inspect.iscoroutinefunction):
            hints = typing.get_type_hints(f)
            if not name.startswith("_") and "payload" in hints and hints["return"] is not type(None):
                out[name] = hints["return"].__name__
        print(json.dumps(out))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    methods = json.loads(run.stdout)
    assert len(methods) == 49
    assert methods["depth"] == "DepthResponse" and methods["ping"] == "PingResponse"
