"""`pip install ./generated` into a fresh virtualenv works with the SDK's runtime dependencies only,
and the installed package calls every operation against the mock (signature checking on).

The venv is isolated from this repository: the script runs with `python -I` from a temporary
folder, so neither `generated/` nor the generator is on its path. Versions are pinned with the
repository's `constraints.txt`. Needs network access to the package index (no skip: a failure to
install is a failure).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import REST_API_KEY, REST_SECRET_KEY, ROOT

from generator.mock import Recording, RestMock, RestSpec

pytestmark = pytest.mark.timeout(300)

GENERATED = ROOT / "generated"
CONSTRAINTS = ROOT / "constraints.txt"
RUNTIME_DEPS = ("httpx", "msgspec")  # generated/pyproject.toml's dependencies
BUILD_TIME_ONLY = ("jinja2", "datamodel_code_generator", "generator")
INSTALL_TIMEOUT = 240.0  # seconds for venv + pip (network)
SCRIPT_TIMEOUT = 60.0

SCRIPT = r'''
"""Runs inside the fresh venv: import hotbit, check what is importable, call every operation."""
import asyncio
import importlib.metadata
import importlib.util
import json
import sys

import hotbit

plan = json.loads(open(sys.argv[1], encoding="utf-8").read())
summary = {
    "hotbit_file": hotbit.__file__,
    "sys_path": sys.path,
    "importable": {m: importlib.util.find_spec(m) is not None for m in plan["build_time_only"]},
    "versions": {d: importlib.metadata.version(d) for d in plan["runtime_deps"]},
    "results": {},
}
with hotbit.Client(plan["api_key"], plan["secret_key"], base_url=plan["url"], rate_limit=False) as client:
    for op, call in plan["calls"].items():
        try:
            result = getattr(client, op)(**call)
        except Exception as exc:  # reported, the test fails on it
            summary["results"][op] = "error: %s: %s" % (type(exc).__name__, exc)
        else:
            summary["results"][op] = "ok: " + type(result).__name__


async def main():
    client = hotbit.AsyncClient(plan["api_key"], plan["secret_key"], base_url=plan["url"])
    try:
        return await getattr(client, plan["async_op"])(**plan["calls"][plan["async_op"]])
    finally:
        await client.aclose()

summary["async"] = "ok: " + type(asyncio.run(main())).__name__
print(json.dumps(summary))
'''


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+).*", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def _run(cmd: list[str], timeout: float, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


def test_clean_install_calls_every_operation(
    tmp_path: Path, rest_spec: RestSpec, rest_recordings: list[Recording]
) -> None:
    assert (GENERATED / "pyproject.toml").is_file(), "generated/ is empty: run `make generate`"
    # install from a copy, so the build leaves nothing (build/, *.egg-info) in generated/
    source = tmp_path / "src"
    shutil.copytree(
        GENERATED,
        source,
        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".ruff_cache"),
    )
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "venv", str(venv)], INSTALL_TIMEOUT, tmp_path)
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "-c", str(CONSTRAINTS), str(source)], INSTALL_TIMEOUT, tmp_path)  # fmt: skip

    # the first recording of each operation, primed so each call gets exactly that answer
    firsts: dict[str, Recording] = {}
    for rec in rest_recordings:
        firsts.setdefault(rec.operation, rec)
    assert sorted(firsts) == sorted(rest_spec.operations) and len(firsts) == 22
    async_op = "balance_query"
    plan: dict[str, Any] = {
        "api_key": REST_API_KEY,
        "secret_key": REST_SECRET_KEY,
        "calls": {op: dict(rec.call) for op, rec in firsts.items()},
        "async_op": async_op,
        "build_time_only": list(BUILD_TIME_ONLY),
        "runtime_deps": list(RUNTIME_DEPS),
    }
    script = tmp_path / "run_sdk.py"
    script.write_text(SCRIPT)
    plan_file = tmp_path / "plan.json"
    with RestMock(rest_spec, rest_recordings, secret_key=REST_SECRET_KEY) as mock:
        mock.prime(*firsts.values(), firsts[async_op])
        plan["url"] = mock.url
        plan_file.write_text(json.dumps(plan))
        out = _run([str(python), "-I", str(script), str(plan_file)], SCRIPT_TIMEOUT, tmp_path)
        seen = mock.requests
    summary = json.loads(out.stdout)

    site = Path(summary["hotbit_file"]).resolve()
    assert site.is_relative_to(venv.resolve()), f"imported hotbit from {site}, not the venv"
    assert not any(str(ROOT) in p for p in summary["sys_path"]), summary["sys_path"]
    assert summary["importable"] == dict.fromkeys(BUILD_TIME_ONLY, False)
    pins = _pins()
    assert summary["versions"] == {d: pins[d] for d in RUNTIME_DEPS}
    failures = {op: r for op, r in summary["results"].items() if not r.startswith("ok: ")}
    assert not failures, json.dumps(failures, indent=2)
    assert len(summary["results"]) == 22
    assert summary["async"].startswith("ok: ")
    # every request was exactly the recorded one (the mock checked each signature)
    assert len(seen) == 23
    expected = [*firsts.values(), firsts[async_op]]
    for got, rec in zip(seen, expected, strict=True):
        assert (got.method, got.path, got.params) == (rec.method, rec.path, dict(rec.params))
