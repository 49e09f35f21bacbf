"""Every operation through `hotbit.Client` against Prism, an independent mock built from the spec.

Prism (`node_modules/.bin/prism mock`) validates each request against the spec (parameters, form
bodies, the `api_key`/`sign` the SDK adds) and answers the operation's first 200 example. Prism
serves the paths as declared, without the server URL's base path (`/v2`), so the client's base
URL is Prism's origin. Each operation is called with the `call` of its first recording, and the
typed result must equal the example Prism answered.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hotbit
import httpx
import pytest
from support import REST_API_KEY, REST_SECRET_KEY, REST_SPEC, ROOT, node_bin
from support.rest import RECORDINGS, SPEC, assert_matches

STARTUP_TIMEOUT = 60.0  # seconds for Prism to answer its first request
EXPECTED_OPERATIONS = 22

# Prism 5.16 ignores `encoding.<property>.contentType` for application/x-www-form-urlencoded
# bodies (it only applies `style`), so a form property declared `type: array` with
# `contentType: application/json` -- the standard OpenAPI way to say "compact JSON text in one
# field", which the live server required -- is validated as the raw string and refused with 422
# "Request body property <name> must be array" (stoplightio/prism#1622). The spec is right; the
# SDK sends what the server wants. Strict: an XPASS (Prism fixed) fails and says to drop this.
PRISM_FORM_JSON_LIMITATION = {
    op_id: op
    for op_id, op in SPEC.operations.items()
    if any(p.location == "form" and p.json_encoded for p in op.params)
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running Prism mock of the REST spec; yields its origin URL."""
    port = _free_port()
    log_path: Path = tmp_path_factory.mktemp("prism") / "prism.log"
    cmd = [str(node_bin("prism")), "mock", "-p", str(port), "-h", "127.0.0.1", str(REST_SPEC)]
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def output() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    try:
        deadline = STARTUP_TIMEOUT
        step = 0.25
        while True:
            try:
                if httpx.get(url + "/p1/server.time", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            try:  # waits `step` for Prism to exit: doubles as the pause between attempts
                code = proc.wait(timeout=step)
            except subprocess.TimeoutExpired:
                deadline -= step
                if deadline <= 0:
                    pytest.fail(f"Prism did not answer within {STARTUP_TIMEOUT}s:\n{output()}")
            else:
                pytest.fail(f"Prism exited with status {code}:\n{output()}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _first_recording(op_id: str) -> Any:
    mine = [r for r in RECORDINGS if r.operation == op_id]
    assert mine, f"no recording of {op_id}"
    return mine[0]


def _params() -> list[Any]:
    out = []
    for op_id in sorted(SPEC.operations):
        marks = []
        if op_id in PRISM_FORM_JSON_LIMITATION:
            marks.append(pytest.mark.xfail(
                reason="Prism ignores encoding.contentType=application/json for form bodies "
                "(stoplightio/prism#1622): 422 on the JSON-encoded array property",
                raises=hotbit.HTTPStatusError, strict=True))  # fmt: skip
        out.append(pytest.param(op_id, marks=marks, id=op_id))
    return out


def test_every_operation_is_covered() -> None:
    assert len(SPEC.operations) == EXPECTED_OPERATIONS
    assert sorted(PRISM_FORM_JSON_LIMITATION) == ["balance_query", "order_batch_cancel"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("op_id", _params())
def test_operation_against_prism(prism: str, op_id: str) -> None:
    op = SPEC.operations[op_id]
    rec = _first_recording(op_id)
    assert op.examples, f"{op_id} has no 200 example for Prism to answer"
    example = op.examples[0]
    expected = example[SPEC.envelope.result] if op.enveloped and SPEC.envelope else example
    with hotbit.Client(
        REST_API_KEY, REST_SECRET_KEY, base_url=prism, rate_limit=False, max_retries=0
    ) as client:
        try:
            result = getattr(client, op_id)(**rec.call)
        except hotbit.HTTPStatusError as exc:
            detail = exc.response.text if exc.response is not None else ""
            if op_id in PRISM_FORM_JSON_LIMITATION and exc.status_code == 422:
                # the only problems Prism reports are the JSON-encoded properties' types
                refused = sorted(["body", p.name] for p in op.params if p.json_encoded)
                problems = json.loads(detail).get("validation", [])
                if sorted(v["location"] for v in problems) == refused:
                    raise  # exactly the known Prism limitation: the strict xfail above
            pytest.fail(f"{op_id}: Prism refused the request: {exc}\n{detail}")
    assert result is not None
    assert_matches(result, expected)
