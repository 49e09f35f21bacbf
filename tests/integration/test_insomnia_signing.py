"""The Insomnia exports sign their own requests: each signed request's pre-request script
(templates/insomnia/prerequest.js.j2, the signer shared with Postman) run with node on a stand-in
for Insomnia's scripting API (tests/node/insomnia_sign.js), against the HotBit signing vectors
and, with its configuration swapped, against generator/runtime/_signing.py."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import yaml
from support import REST_API_KEY, REST_SECRET_KEY, ROOT, node_exe

from generator.runtime._signing import Signature, sign

V4 = ROOT / "generated" / "insomnia" / "hotbit.insomnia.json"
V5 = ROOT / "generated" / "insomnia" / "hotbit.insomnia.yaml"
RUNNER = ROOT / "tests" / "node" / "insomnia_sign.js"
SPEC = yaml.safe_load((ROOT / "specs" / "hotbit-rest.openapi.yaml").read_text(encoding="utf-8"))


def v4_requests() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in json.loads(V4.read_text())["resources"] if r["_type"] == "request"}


def v5_requests() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(V5.read_text(encoding="utf-8"))
    return {r["name"]: r for folder in doc["collection"] for r in folder["children"]}


def run(
    script: str, params: list[tuple[str, str]], where: str = "body", env: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    request = {
        "script": script, "name": "x", "method": "POST", "in": where, "params": params,
        "environment": env if env is not None else {"apiKey": REST_API_KEY, "secretKey": REST_SECRET_KEY},
        "baseEnvironment": base or {},
    }  # fmt: skip
    return subprocess.run(
        [node_exe(), str(RUNNER)], input=json.dumps(request), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def signed(script: str, params: list[tuple[str, str]], **kw: Any) -> dict[str, str]:
    result = run(script, params, **kw)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def with_config(text: str, **changes: Any) -> str:
    head, rest = text.split("const SIGNING = ", 1)
    config, code = rest.split(";\n", 1)
    return head + "const SIGNING = " + json.dumps({**json.loads(config), **changes}) + ";\n" + code


def test_every_signed_request_carries_its_script_in_both_exports() -> None:
    v4, v5 = v4_requests(), v5_requests()
    assert sorted(v4) == sorted(v5)
    doc = yaml.safe_load(V5.read_text(encoding="utf-8"))
    assert doc["type"] == "collection.insomnia.rest/5.0" and doc["name"] == SPEC["info"]["title"]
    assert doc["environments"]["data"] == {"baseUrl": SPEC["servers"][0]["url"], "apiKey": "", "secretKey": ""}
    for name, request in v5.items():
        assert (request["url"], request["method"]) == (v4[name]["url"], v4[name]["method"]), name
        assert request["parameters"] == v4[name]["parameters"] and request.get("body", {}) == v4[name]["body"]
    ops = {
        op.get("x-method-name", op["operationId"]): bool(op.get("x-signed"))
        for item in SPEC["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert sorted(ops) == sorted(v4)
    for name, is_signed in ops.items():
        script = v4[name].get("preRequestScript")
        if not is_signed:
            assert script is None and "scripts" not in v5[name], name
            continue
        assert script and v5[name]["scripts"]["preRequest"] == script, name
        config = json.loads(script.split("const SIGNING = ", 1)[1].split(";\n", 1)[0])
        assert [o["name"] for o in config["operations"]] == [name]
        assert "insomnia.request" in script and "function computeSignature" in script
        assert "pm." not in script  # Insomnia's own API, not Postman's alias


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("balance.query", [("assets", '["BTC","ETH"]')], "C88F04701D3349D0A93A0164DC5A4CD9"),
        ("balance.query", [("assets", '["BTC", "ETH"]')], "F9B99EEBF4757F0EDCA205268F2F02D3"),
        (
            "order.put_limit",
            [("market", "ETHBTC"), ("side", "2"), ("amount", "0.4"), ("price", "0.08"), ("isfee", "0")],
            "8294D70DE6971E23F82D17A544BB6320",
        ),
    ],
)
def test_hotbit_vectors(name: str, params: list[tuple[str, str]], expected: str) -> None:
    request = v4_requests()[name]
    slots = [p["name"] for p in request["body"]["params"]][-2:]
    assert slots == [SPEC["x-signature"]["key-parameter"], SPEC["x-signature"]["parameter"]]
    # the export's slots: the key as a template tag, the signature empty
    sent = signed(request["preRequestScript"], [*params, ("api_key", "{{ _.apiKey }}"), ("sign", "")])
    assert sent == {**dict(params), "api_key": REST_API_KEY, "sign": expected}


def test_credentials_from_the_base_environment_and_missing_ones_refused() -> None:
    script = v4_requests()["balance.query"]["preRequestScript"]
    params = [("assets", '["BTC","ETH"]'), ("api_key", ""), ("sign", "")]
    base = {"apiKey": REST_API_KEY, "secretKey": REST_SECRET_KEY}
    assert signed(script, params, env={}, base=base)["sign"] == "C88F04701D3349D0A93A0164DC5A4CD9"
    refused = run(script, params, env={"apiKey": REST_API_KEY})
    assert refused.returncode != 0 and "set the apiKey and secretKey" in refused.stderr


def test_missing_slots_are_added_in_the_query() -> None:
    script = with_config(v4_requests()["balance.query"]["preRequestScript"])
    text = script.replace('"in": "body"', '"in": "query"')
    assert text != script
    sent = signed(text, [("assets", '["BTC","ETH"]')], where="query")
    assert sent == {"assets": '["BTC","ETH"]', "api_key": REST_API_KEY, "sign": "C88F04701D3349D0A93A0164DC5A4CD9"}


SHAPES = [
    Signature("hmac-sha512", "base64", "{canonical}", values="urlencoded", pair=":", join=";"),
    Signature("sha256", "hex-upper", "{api_key}|{canonical}|{secret_key}", sort="none"),
    Signature("hmac-sha256", "hex-lower", "{canonical}", exclude=("note",)),
]


@pytest.mark.parametrize("sig", SHAPES, ids=lambda s: f"{s.algorithm}-{s.output}-{s.values}-{s.sort}")
def test_script_and_runtime_agree(sig: Signature) -> None:
    params = [("z", "BTC USD/€"), ("a", "a&b=c d"), ("note", "(x)*!'"), ("ids", "[1,2]")]
    text = with_config(
        v4_requests()["balance.query"]["preRequestScript"], algorithm=sig.algorithm, output=sig.output,
        payload=sig.payload, sort=sig.sort, values=sig.values, pair=sig.pair, join=sig.join,
        exclude=["sig", *sig.exclude], keyParameter="key", signatureParameter="sig",
    )  # fmt: skip
    sent = signed(text, [*params, ("key", ""), ("sig", "")], env={"apiKey": "k€y", "secretKey": "s3cr3t"})
    expected = Signature(
        sig.algorithm, sig.output, sig.payload, sig.sort, sig.values, sig.pair, sig.join, sig.exclude,
        parameter="sig",
    )  # fmt: skip
    assert sent["sig"] == sign(expected, dict([*params, ("key", "k€y")]), "k€y", "s3cr3t")
