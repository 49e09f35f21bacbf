"""The generated Postman collection, run with Newman against the REST mock (signatures checked).

Its shape is checked in unit/test_postman_collection.py. Here its pre-request script must sign
the x-signed requests exactly as the spec's x-signature says (the mock refuses a wrong
signature), and each request's tests must pass against the mock's answers.

The mock serves every recording, as in the README's flow (`generator mock --recordings
tests/recordings/rest`, then Newman): the collection's example values come from the spec, and a
recorded transient failure made with those values is answered only when primed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REST_API_KEY, REST_SECRET_KEY, ROOT, node_bin
from support.postman import COLLECTION, OPERATIONS

from generator.mock import Recording, RestMock, RestSpec

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def full_mock(rest_spec: RestSpec, rest_recordings: list[Recording]) -> Iterator[RestMock]:
    assert any(rest_spec.is_error_body(r.json_body) for r in rest_recordings)
    with RestMock(rest_spec, rest_recordings, secret_key=REST_SECRET_KEY) as mock:
        yield mock


def newman(
    collection: Path, base_url: str, secret_key: str, report: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(node_bin("newman")),
        "run",
        str(collection),
        "--env-var",
        f"baseUrl={base_url}",
        "--env-var",
        f"apiKey={REST_API_KEY}",
        "--env-var",
        f"secretKey={secret_key}",
        "--reporters",
        "cli,json",
        "--reporter-json-export",
        str(report),
        "--timeout-request",
        "20000",
        "--disable-unicode",
        "--color",
        "off",
        *options,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=150, cwd=ROOT, check=False)


# ------------------------------------------------------------------ Newman against the mock


def test_newman_runs_every_request_against_the_signature_checking_mock(
    full_mock: RestMock, tmp_path: Path
) -> None:
    report = tmp_path / "newman.json"
    result = newman(COLLECTION, full_mock.url, REST_SECRET_KEY, report)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    run = json.loads(report.read_text())["run"]
    assert run["stats"]["requests"]["total"] == len(OPERATIONS)
    assert run["stats"]["requests"]["failed"] == 0
    assert run["failures"] == []
    assert run["stats"]["assertions"]["failed"] == 0
    # 2 checks per request, plus the envelope check on enveloped operations
    enveloped = sum(op["enveloped"] for op in OPERATIONS)
    assert run["stats"]["assertions"]["total"] == 2 * len(OPERATIONS) + enveloped
    executed = sorted(e["item"]["name"] for e in run["executions"])
    assert executed == sorted(op["name"] for op in OPERATIONS)
    # the mock saw every operation once, and every signed request carried a signature it accepted
    seen = sorted(r.operation_id or "?" for r in full_mock.requests)
    assert len(seen) == len(OPERATIONS)
    signed_ids = {r.operation_id for r in full_mock.requests if "sign" in r.params}
    assert len(signed_ids) == sum(op["signed"] for op in OPERATIONS)
    assert REST_SECRET_KEY not in json.dumps([r.params for r in full_mock.requests])


def test_newman_fails_every_signed_request_with_a_wrong_secret(
    full_mock: RestMock, tmp_path: Path
) -> None:
    report = tmp_path / "newman.json"
    result = newman(COLLECTION, full_mock.url, "0" * 32, report)
    assert result.returncode == 1
    run = json.loads(report.read_text())["run"]
    failed = sorted({f["source"]["name"] for f in run["failures"]})
    assert failed == sorted(op["name"] for op in OPERATIONS if op["signed"])
    assert run["stats"]["requests"]["total"] == len(OPERATIONS)


# ------------------------------------------------------------------ any spec's x-signature

GENERIC_SPEC = """
openapi: 3.0.3
info: {title: Signed demo exchange, version: "1"}
servers: [{url: "https://api.example.test/v3"}]
tags: [{name: Orders, description: Signed calls.}, {name: Public}, {name: Paths}]
x-signature: SIGNATURE
x-envelope: {result: data, error: err}
components:
  schemas:
    Answer:
      type: object
      properties: {data: {type: object, nullable: true}, err: {type: object, nullable: true}}
  responses:
    Ok:
      description: ok
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Answer"}
          examples: {ok: {value: {data: {id: 42}, err: null}}}
paths:
  /orders/open:
    get:
      operationId: get_order
      x-signed: true
      tags: [Orders]
      parameters:
        - {name: symbol, in: query, required: true, schema: {type: string}, example: "BTC USD/€"}
        - {name: ids, in: query, required: true, x-json-encoded: true, schema: {type: array, items: {type: integer}}, example: [1, 2]}
        - {name: key, in: query, required: true, schema: {type: string}}
        - {name: signature, in: query, required: true, schema: {type: string}}
      responses: {"200": {$ref: "#/components/responses/Ok"}}
  /orders:
    post:
      operationId: place_order
      x-signed: true
      tags: [Orders]
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [key, signature, price, side]
              properties:
                key: {type: string}
                signature: {type: string}
                price: {type: string, format: decimal, example: "0.5"}
                side: {type: string, enum: [sell, buy]}
                note: {type: string, example: "a&b=c d"}
      responses: {"200": {$ref: "#/components/responses/Ok"}}
  /orders/{id}/fills:
    get:
      operationId: fills
      x-signed: true
      tags: [Paths]
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}, example: 42}
        - {name: key, in: query, required: true, schema: {type: string}}
        - {name: signature, in: query, required: true, schema: {type: string}}
      responses: {"200": {$ref: "#/components/responses/Ok"}}
  /time:
    get:
      operationId: time
      tags: [Public]
      x-envelope: false
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {t: {type: integer}}}
              example: {t: 1}
"""

SIGNATURES = {
    "md5-hex-upper-raw": {
        "algorithm": "md5",
        "output": "hex-upper",
        "payload": "{canonical}&secret_key={secret_key}",
    },
    "hmac-sha256-base64-urlencoded": {
        "algorithm": "hmac-sha256",
        "output": "base64",
        "payload": "{canonical}",
        "canonical": {"values": "urlencoded", "pair": ":", "join": ";"},
    },
    "sha512-hex-lower-unsorted": {
        "algorithm": "sha512",
        "output": "hex-lower",
        "payload": "{api_key}|{canonical}|{secret_key}",
        "canonical": {"sort": "none"},
    },
    "hmac-sha512-excluded": {
        "algorithm": "hmac-sha512",
        "output": "hex-lower",
        "payload": "{canonical}",
        "canonical": {"values": "urlencoded", "exclude": ["note"]},
    },
    "sha1-base64": {"algorithm": "sha1", "output": "base64", "payload": "{secret_key}{canonical}"},
    "sha256-hex-upper": {
        "algorithm": "sha256",
        "output": "hex-upper",
        "payload": "{canonical}{secret_key}",
    },
}


@pytest.mark.parametrize("variant", sorted(SIGNATURES))
def test_signing_script_follows_any_x_signature(variant: str, tmp_path: Path) -> None:
    from generator import outputs
    from generator.load import Resolver, load_document
    from generator.model.openapi import build_rest_api
    from generator.render import Project

    signature = {**SIGNATURES[variant], "key-parameter": "key", "parameter": "signature"}
    spec_path = tmp_path / "demo.openapi.yaml"
    spec_path.write_text(GENERIC_SPEC.replace("SIGNATURE", json.dumps(signature)), encoding="utf-8")
    doc = load_document(spec_path)
    api, _ = build_rest_api(doc, Resolver(doc), "demo")
    project = Project("demo", api, None, documents={"openapi": doc})
    collection_path = tmp_path / "demo.postman_collection.json"
    collection_path.write_text(
        outputs.postman_collection(project, "postman/prerequest.js.j2"), encoding="utf-8"
    )

    # The mock cannot serve path parameters yet (it reports them missing): that folder is only
    # checked for its shape here.
    collection = json.loads(collection_path.read_text(encoding="utf-8"))
    (paths,) = [f for f in collection["item"] if f["name"] == "Paths"]
    url = paths["item"][0]["request"]["url"]
    assert url["path"] == ["orders", ":id", "fills"] and url["variable"][0]["key"] == "id"
    assert [q["key"] for q in url["query"]] == ["key", "signature"]

    secret = "s3cr3t-" + variant
    with RestMock(spec_path, None, secret_key=secret) as mock:
        report = tmp_path / "newman.json"
        result = newman(
            collection_path, mock.url, secret, report, "--folder", "Orders", "--folder", "Public"
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        run = json.loads(report.read_text())["run"]
        assert run["stats"]["requests"]["total"] == 3 and run["failures"] == []
        by_op = {r.operation_id: r.params for r in mock.requests}
    assert sorted(by_op) == ["get_order", "place_order", "time"]
    assert by_op["get_order"]["symbol"] == "BTC USD/€" and by_op["get_order"]["ids"] == "[1,2]"
    assert by_op["place_order"]["note"] == "a&b=c d" and by_op["place_order"]["key"] == REST_API_KEY
    assert "signature" in by_op["get_order"] and "signature" not in by_op["time"]


# ------------------------------------------------------------------ the README's flow


def test_readme_mock_then_newman_flow_is_green() -> None:
    """The README's shell block (mock with every recording, the CLI, then Newman), run as written
    on a free port instead of 8080."""
    import re
    import shlex
    import socket
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Without writing Python", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    lines = block.group(1).strip().splitlines()
    assert lines[0].startswith(".venv/bin/python -m generator mock") and lines[0].endswith(" &")
    assert "--recordings tests/recordings/rest" in lines[0] and "newman run" in lines[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    python = Path(sys.executable)
    script = [line.replace("8080", port).replace(".venv/bin/python", str(python)) for line in lines]
    mock = subprocess.Popen(
        shlex.split(script[0].removesuffix(" &")), cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert mock.stdout is not None
        first = mock.stdout.readline()
        assert f"127.0.0.1:{port}" in first, first
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", "\n".join(script[1:])],
            cwd=ROOT, capture_output=True, text=True, timeout=150, check=False,
        )  # fmt: skip
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    table = {
        cells[0]: (int(cells[1]), int(cells[2]))
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in re.split(r"[│|]", line) if c.strip()]) == 3
        and cells[1].isdigit()
    }
    enveloped = sum(op["enveloped"] for op in OPERATIONS)
    assert table["requests"] == (len(OPERATIONS), 0), result.stdout[-3000:]
    assert table["assertions"] == (2 * len(OPERATIONS) + enveloped, 0), result.stdout[-3000:]
    # the SDK's CLI line printed the recorded balances before Newman ran
    assert result.stdout.index('"0xBTC"') < result.stdout.index("newman")
