"""The README's "Generate a client for your own API" example, run as written: Binance's published
COIN-M Futures spec (the corpus copy of the file its curl line downloads, so the test is offline)
plus the shipped overlay, generated, served by the mock that checks signatures, and called signed
from the SDK's CLI and from Python. Slow (a 5,000-line spec generated in a subprocess), hence
here with the other end-to-end flows."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

pytestmark = pytest.mark.timeout(240)

CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "exchanges"
UPSTREAM = (
    "https://raw.githubusercontent.com/openxapi/openxapi/"
    "e2791e425741e4002b8db44ca3f34f2e49aa8eea/specs/binance/openapi/cmfutures.yaml"
)


def _blocks() -> tuple[list[str], str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Generate a client for your own API\n", 1)[1].split("\n## ", 1)[0]
    shell = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    python = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert shell is not None and python is not None
    return shell.group(1).strip().splitlines(), python.group(1)


def test_readme_binance_example_runs_as_written(tmp_path: Path) -> None:
    lines, python = _blocks()
    assert lines[0] == f"curl -fsSL -o binance-cmfutures.yaml {UPSTREAM}"
    shutil.copy(
        CORPUS / "openapi" / "binance-cmfutures.openapi.yaml", tmp_path / lines[0].split()[3]
    )
    (tmp_path / "docs").symlink_to(ROOT / "docs")  # the overlay, at the path the README uses
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    script = [
        line.replace("8090", port).replace(".venv/bin/python", sys.executable) for line in lines[1:]
    ]
    assert "--overlay docs/overlays/binance-cmfutures.overlay.yaml" in script[0] + script[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_CM_")}

    def bash(text: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", text], cwd=tmp_path, env={**env, **extra},
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip

    generated = bash(script[0])
    assert generated.returncode == 0, generated.stderr[-3000:]
    assert "generated binance_cm in build/binance_cm: 65 operations" in generated.stdout
    assert script[1].endswith(" &")
    mock = subprocess.Popen(
        shlex.split(script[1].removesuffix(" &")), cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert mock.stdout is not None
        first = mock.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first, first
        assert "signature checking on" in mock.stdout.readline()
        cli = bash("\n".join(script[2:]))
        # the same call signed with another secret: the mock refuses it
        refused = bash("\n".join(script[2:]).replace("=my-secret", "=not-the-secret"))
        done = subprocess.run(
            [sys.executable, "-c", python.replace("8090", port)], cwd=tmp_path,
            env={**env, "PYTHONPATH": str(tmp_path / "build" / "binance_cm")},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    assert cli.returncode == 0, cli.stdout[-2000:] + cli.stderr[-2000:]
    order = json.loads(cli.stdout)
    assert order["orderId"] == 22542179 and order["status"] == "NEW"  # the spec's example answer
    assert refused.returncode == 1 and "HTTP 400 from POST /dapi/v1/order" in refused.stderr
    assert "not-the-secret" not in refused.stdout + refused.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["1499827319559", "22542179 NEW"]
