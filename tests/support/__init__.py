"""Helpers shared by the test layers (not a test module: pytest collects nothing here).

`ROOT` is the project root. `node_bin(name)` is the path of a Node tool from `npm ci`; a missing
tool FAILS the test (never skips it) and says to run `make test-tools`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from generator.mock import WsMock

ROOT = Path(__file__).resolve().parent.parent.parent
SPECS_DIR = ROOT / "specs"
REST_SPEC = SPECS_DIR / "hotbit-rest.openapi.yaml"
WS_SPEC = SPECS_DIR / "hotbit-websocket.asyncapi.yaml"

REST_RECORDINGS = ROOT / "tests" / "recordings" / "rest"
# The test credentials of the recordings (the docs' signing example): every recorded `sign` is
# computed with these.
REST_API_KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"
REST_SECRET_KEY = "de8063ea6e99bc967ba6395d06fabf50"

WS_RECORDINGS = ROOT / "tests" / "recordings" / "ws"
# The documentation's example key pair: its signature appears in the recorded server.auth params.
DOC_KEYS = {REST_API_KEY: REST_SECRET_KEY}


def load_yaml(path: Path) -> Any:
    """A YAML file's data, parsed by libyaml when PyYAML has it (pure Python is ~10x slower)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def dump_yaml(data: Any) -> str:
    """`data` as YAML in document order, by libyaml when PyYAML has it (like `load_yaml`)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def node_bin(name: str) -> Path:
    """`node_modules/.bin/<name>`, or fail the test with a hint to run `make test-tools`."""
    path = ROOT / "node_modules" / ".bin" / name
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make test-tools`", pytrace=False)
    return path


def node_exe() -> str:
    """The `node` interpreter, or fail the test with a hint to run `make test-tools`."""
    exe = shutil.which("node")
    if exe is None:
        pytest.fail(
            "`node` is not on PATH: install Node.js and run `make test-tools`", pytrace=False
        )
    return exe


def ws_mock_for(recordings: Path | None = WS_RECORDINGS) -> WsMock:
    """A WebSocket mock of the spec replaying `recordings`, checking auth with the doc keys."""
    from generator.mock import WsMock, WsSpec

    return WsMock(WsSpec.load(WS_SPEC), recordings, secret_key=REST_SECRET_KEY)


def ws_recordings_with_order_update(folder: Path, params: Callable[[list[Any]], list[Any]]) -> Path:
    """A copy of the WebSocket recordings in `folder`, the first recorded `order.update` push's
    params replaced by `params(recorded params)`."""
    import json

    folder.mkdir()
    for path in WS_RECORDINGS.glob("*.json"):
        data = json.loads(path.read_text())
        if path.name == "order_subscribe.json":
            pushes = [p for e in data["exchanges"] for p in e.get("pushes") or []]
            first = next(p for p in pushes if p.get("method") == "order.update")
            first["params"] = params(first["params"])
        (folder / path.name).write_text(json.dumps(data))
    return folder
