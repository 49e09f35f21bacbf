"""The SDK's public surface: the WebSocket types import from the package root, lazily, and the
example bot in docs/ (public names only) trades against the mocks over loopback."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
from decimal import Decimal
from types import ModuleType

import hotbit
import pytest
from support import DOC_KEYS, ROOT, ws_mock_for

from generator.mock import RestMock

BOT = ROOT / "docs" / "example_bot.py"
PUBLIC = ["Backoff", "Connected", "Disconnected", "Gap", "Resync", "Resubscribed", "FrameError",
          "Subscription", "LiveOrderBook", "OrderBook", "Event", "WebSocketClient"]  # fmt: skip


def test_import_stays_light_and_the_ws_types_load_on_first_use() -> None:
    code = (
        "import sys, hotbit\n"
        "assert 'websockets' not in sys.modules and 'hotbit._ws_runtime' not in sys.modules\n"
        "assert 'httpx' not in sys.modules and 'hotbit.models' not in sys.modules\n"
        "assert hotbit.Client.__module__ == 'hotbit.client' and 'httpx' in sys.modules\n"
        "assert hotbit.models is sys.modules['hotbit.models']\n"
        f"names = {PUBLIC!r}\n"
        "values = [getattr(hotbit, n) for n in names]\n"
        "assert 'websockets' in sys.modules\n"
        "from hotbit import _ws_runtime, _ws_rpc, _orderbook\n"
        "assert hotbit.Backoff is _ws_runtime.Backoff and hotbit.Gap is _ws_runtime.Gap\n"
        "assert hotbit.Subscription is _ws_rpc.Subscription\n"
        "assert hotbit.LiveOrderBook is _orderbook.LiveOrderBook\n"
        "try:\n"
        "    hotbit.Clinet\n"
        "except AttributeError as exc:\n"
        "    assert 'Clinet' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT / "generated", timeout=60)
    assert set(PUBLIC) <= set(hotbit.__all__)


def test_public_signatures_name_public_types_only() -> None:
    leaks = []
    for cls in (hotbit.Client, hotbit.AsyncClient, hotbit.WebSocketClient):
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            text = str(inspect.signature(method))
            if "_ops." in text or "._" in text or " _" in text:
                leaks.append(f"{cls.__name__}.{name}{text}")
    assert leaks == []


def _load_bot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_bot", BOT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.timeout(60)
async def test_the_example_bot_trades_against_the_mocks(rest_mock: RestMock) -> None:
    api_key, secret_key = next(iter(DOC_KEYS.items()))
    bot = _load_bot()
    async with ws_mock_for() as ws:
        report = await bot.run(rest_mock.url, ws.url, api_key, secret_key)
    assert report.last_price is not None and report.best_bid < report.best_ask
    assert report.order_id == 8688803 and report.cancelled
    assert report.filled == 0 and isinstance(report.filled, Decimal)
    assert "Connected" in report.events
    assert [r.operation_id for r in rest_mock.requests if "order" in str(r.operation_id)] == [
        "order_put_limit",
        "order_cancel",
    ]


def test_the_bot_imports_nothing_private() -> None:
    text = BOT.read_text(encoding="utf-8")
    assert "hotbit._" not in text and "from hotbit." not in text and "import hotbit." not in text
