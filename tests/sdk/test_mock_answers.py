"""The mock answers every operation (generator/mock/rest.py) below the spec's server path: a
recording, else a valid example, else a value synthesised from the schema."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from support.synth import SPEC

from generator.mock.rest import RestMock


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "synth.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_the_mock_answers_every_operation_below_the_server_path(spec: Path) -> None:
    with RestMock(spec) as mock:
        assert mock.url.endswith("/api/v2")
        status, body = _get(mock.url + "/items/latest")  # concrete before /items/{id}
        assert (status, body) == (200, {"id": "a1", "price": "1.5"})
        status, item = _get(mock.url + "/items/7")
        assert status == 200 and item["kind"] == "spot"
        status, tree = _get(mock.url + "/tree")
        assert status == 200 and isinstance(tree["value"], int)
        assert _get(mock.origin + "/items/7")[0] == 404  # outside the server's path
        request = urllib.request.Request(mock.url + "/nothing", method="DELETE")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert (response.status, response.read()) == (204, b"")
