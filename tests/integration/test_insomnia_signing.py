"""The Insomnia exports sign their own requests: each signed request's pre-request script
(templates/js/signer.js, the signer the Postman collection uses, + insomnia/prerequest.js.j2) run
with node on a stand-in for Insomnia's scripting API (tests/node/insomnia_sign.js), on the
export's own requests: against the HotBit vectors, against Binance's, BTSE's and Kraken's
(../shared/reference/exchange_signing_vectors.md) with the exports of the specs in
tests/fixtures/signing/, and against generator/runtime/_signing.py."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
from typing import Any

import pytest
import yaml
from support import REST_API_KEY, REST_SECRET_KEY, ROOT, node_exe

from generator.outputs.signer import signer_script
from generator.runtime._signing import Credentials, Signature, sign, sign_request

V4 = ROOT / "generated" / "insomnia" / "hotbit.insomnia.json"
V5 = ROOT / "generated" / "insomnia" / "hotbit.insomnia.yaml"
RUNNER = ROOT / "tests" / "node" / "insomnia_sign.js"
FIXTURES = ROOT / "tests" / "fixtures" / "signing"
SPEC = yaml.safe_load((ROOT / "specs" / "hotbit-rest.openapi.yaml").read_text(encoding="utf-8"))
KEYS = {"apiKey": REST_API_KEY, "secretKey": REST_SECRET_KEY}


def v4_requests(resources: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    if resources is None:
        resources = json.loads(V4.read_text())["resources"]
    return {r["name"]: r for r in resources if r["_type"] == "request"}


def v5_requests() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(V5.read_text(encoding="utf-8"))
    return {r["name"]: r for folder in doc["collection"] for r in folder["children"]}


def fixture_export(name: str) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """(base environment, requests by name) of the Insomnia export of a tests/fixtures/signing spec."""
    from generator import outputs
    from generator.load import Resolver, load_document
    from generator.model.openapi import build_rest_api
    from generator.render import Project

    doc = load_document(FIXTURES / f"{name}.yaml")
    api, _ = build_rest_api(doc, Resolver(doc), "demo")
    resources = json.loads(
        outputs.insomnia_export(Project("demo", api, None, documents={"openapi": doc}), "")
    )
    (env,) = [r for r in resources["resources"] if r["_type"] == "environment"]
    return env["data"], v4_requests(resources["resources"])


def run(
    script: str,
    request: dict[str, Any],
    env: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
    now_ms: int = 0,
) -> subprocess.CompletedProcess[str]:
    stdin = {
        "script": script, "request": request, "environment": KEYS if env is None else env,
        "baseEnvironment": base or {}, "nowMs": now_ms,
    }  # fmt: skip
    return subprocess.run(
        [node_exe(), str(RUNNER)], input=json.dumps(stdin), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def signed(request: dict[str, Any], script: str | None = None, **kw: Any) -> dict[str, Any]:
    """The request as Insomnia sends it after its script ran (pairs, in the order sent)."""
    result = run(script or request["preRequestScript"], request, **kw)
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def config_of(request: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(
        request["preRequestScript"].split("const SIGNING = ", 1)[1].split(";\n", 1)[0]
    )
    return config


def filled(
    request: dict[str, Any], values: list[tuple[str, str]], where: str = "parameters"
) -> dict[str, Any]:
    """The export's request with its `where` list set to `values` followed by the export's slots
    for the signature's parameters (as a user fills the request in)."""
    out = copy.deepcopy(request)
    slots = {n for n, _ in Signature.from_mapping(config_of(request)["signature"]).sent_parameters}
    items = out["body"]["params"] if where == "body" else out["parameters"]
    given = [{"name": k, "value": v, "description": "", "disabled": False} for k, v in values]
    items[:] = given + [i for i in items if i["name"] in slots]
    return out


def with_config(text: str, sig: Signature) -> str:
    head, rest = text.split("const SIGNING = ", 1)
    config, code = rest.split(";\n", 1)
    return (
        head
        + "const SIGNING = "
        + json.dumps({**json.loads(config), "signature": sig.to_mapping()})
        + ";\n"
        + code
    )


def test_every_signed_request_carries_its_script_in_both_exports() -> None:
    v4, v5 = v4_requests(), v5_requests()
    assert sorted(v4) == sorted(v5)
    doc = yaml.safe_load(V5.read_text(encoding="utf-8"))
    assert doc["type"] == "collection.insomnia.rest/5.0" and doc["name"] == SPEC["info"]["title"]
    assert doc["environments"]["data"] == {
        "baseUrl": SPEC["servers"][0]["url"],
        "apiKey": "",
        "secretKey": "",
    }
    for name, request in v5.items():
        assert (request["url"], request["method"]) == (v4[name]["url"], v4[name]["method"]), name
        assert (
            request["parameters"] == v4[name]["parameters"]
            and request.get("body", {}) == v4[name]["body"]
        )
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
        config = config_of(v4[name])
        assert [o["name"] for o in config["operations"]] == [name]
        assert config["signature"] == Signature.from_mapping(SPEC["x-signature"]).to_mapping()
        assert "insomnia.request" in script and signer_script() in script  # the one shared signer
        assert "pm." not in script  # Insomnia's own API, not Postman's alias
    assert not (ROOT / "templates" / "signing").exists()


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("balance.query", [("assets", '["BTC","ETH"]')], "C88F04701D3349D0A93A0164DC5A4CD9"),
        ("balance.query", [("assets", '["BTC", "ETH"]')], "F9B99EEBF4757F0EDCA205268F2F02D3"),
        (
            "order.put_limit",
            [
                ("market", "ETHBTC"),
                ("side", "2"),
                ("amount", "0.4"),
                ("price", "0.08"),
                ("isfee", "0"),
            ],
            "8294D70DE6971E23F82D17A544BB6320",
        ),
    ],
)
def test_hotbit_vectors(name: str, params: list[tuple[str, str]], expected: str) -> None:
    request = v4_requests()[name]
    fields = request["body"]["params"]
    # the export's slots: the key as a template tag, the signature empty
    assert [(f["name"], f["value"]) for f in fields[-2:]] == [
        (SPEC["x-signature"]["key-parameter"], "{{ _.apiKey }}"), (SPEC["x-signature"]["parameter"], "")
    ]  # fmt: skip
    sent = signed(filled(request, params, "body"))
    assert sent["params"] == [*map(list, params), ["api_key", REST_API_KEY], ["sign", expected]]
    assert sent["parameters"] == [] and sent["url"] == "{{ _.baseUrl }}/p2/" + name


def test_credentials_from_the_base_environment_and_missing_ones_refused() -> None:
    request = filled(v4_requests()["balance.query"], [("assets", '["BTC","ETH"]')], "body")
    assert (
        dict(signed(request, env={}, base=KEYS)["params"])["sign"]
        == "C88F04701D3349D0A93A0164DC5A4CD9"
    )
    refused = run(request["preRequestScript"], request, env={"apiKey": REST_API_KEY})
    assert refused.returncode != 0 and "set the apiKey and secretKey" in refused.stderr


def test_missing_slots_are_added_in_the_query() -> None:
    request = v4_requests()["balance.query"]
    script = request["preRequestScript"].replace('"in": "body"', '"in": "query"')
    assert script != request["preRequestScript"]
    bare = {**request, "parameters": [{"name": "assets", "value": '["BTC","ETH"]'}], "body": {}}
    sent = signed(bare, script)
    assert sent["parameters"] == [
        ["assets", '["BTC","ETH"]'], ["api_key", REST_API_KEY], ["sign", "C88F04701D3349D0A93A0164DC5A4CD9"]
    ]  # fmt: skip


# -- other exchanges' schemes, from the exports of tests/fixtures/signing ----------------------
BINANCE_ORDER = [
    ("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
    ("price", "0.1"), ("recvWindow", "5000"),
]  # fmt: skip
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_SIGN = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


@pytest.mark.parametrize(("name", "where"), [("testNewOrder", "parameters"), ("newOrder", "body")])
def test_binance_vector(name: str, where: str) -> None:
    base, requests = fixture_export("binance")
    request = requests[name]
    assert ("X-MBX-APIKEY", "{{ _.apiKey }}") in [
        (h["name"], h["value"]) for h in request["headers"]
    ]
    sent = signed(
        filled(request, BINANCE_ORDER, where), env={"apiKey": "my-key", "secretKey": BINANCE_SECRET}, base=base,
        now_ms=1499827319559,
    )  # fmt: skip
    pairs = [[k, v] for k, v in BINANCE_ORDER] + [
        ["timestamp", "1499827319559"],
        ["signature", BINANCE_SIGN],
    ]
    assert sent["parameters" if where == "parameters" else "params"] == pairs
    assert [h for h in sent["headers"] if h[0] == "X-MBX-APIKEY"] == [["X-MBX-APIKEY", "my-key"]]


def test_btse_vector_in_headers() -> None:
    base, requests = fixture_export("btse")
    request = requests["wallet"]
    assert [h["name"] for h in request["headers"]] == [
        "request-api",
        "request-nonce",
        "request-sign",
    ]
    assert base["baseUrl"] == "https://api.btse.com/spot"
    key = "4e9536c79f0fdd72bf04f2430982d3f61d9d76c996f0175bbba470d69d59816x"
    secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
    sent = signed(
        request, env={}, base={**base, "apiKey": key, "secretKey": secret}, now_ms=1624984297330
    )
    signature = (
        "14b986706a4368221e0af14a6725377161805e7a57d568220478cb3590ce532d"
        "4fad4ac68e6c02a14afced6a0619bfd3"
    )
    assert sent["headers"] == [
        ["request-api", key],
        ["request-nonce", "1624984297330"],
        ["request-sign", signature],
    ]
    assert sent["parameters"] == [] and sent["params"] == []


def test_btse_json_body_signed_as_sent() -> None:
    base, requests = fixture_export("btse")
    request = requests["newOrder"]
    sent = signed(
        request, env={"apiKey": "k", "secretKey": "s3cr3t"}, base=base, now_ms=1624984297330
    )
    expected = sign_request(
        Signature.from_mapping(yaml.safe_load((FIXTURES / "btse.yaml").read_text())["x-signature"]),
        Credentials("k", "s3cr3t"), method="POST", path="/api/v3.2/order", url_path="/spot/api/v3.2/order",
        query=[], body=request["body"]["text"].encode(), at_ns=1624984297330 * 10**6,
    )  # fmt: skip
    assert dict(sent["headers"]) == {"Content-Type": "application/json", **expected.headers}


def test_kraken_vector_form_nonce_and_base64_secret() -> None:
    base, requests = fixture_export("kraken")
    request = requests["addOrder"]
    secret = (
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    )
    # the published example sends the nonce first: the user moved the export's nonce slot there
    fields = request["body"]["params"]
    (nonce,) = [f for f in fields if f["name"] == "nonce"]
    form = [
        ("ordertype", "limit"),
        ("pair", "XBTUSD"),
        ("price", "37500"),
        ("type", "buy"),
        ("volume", "1.25"),
    ]
    given = filled(request, form, "body")
    given["body"]["params"] = [nonce] + [f for f in given["body"]["params"] if f["name"] != "nonce"]
    sent = signed(given, env={"apiKey": "k", "secretKey": secret}, base=base, now_ms=1616492376594)
    assert sent["params"] == [["nonce", "1616492376594"], *map(list, form)]
    assert dict(sent["headers"])["API-Sign"] == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )


def test_passphrase_variable_iso_timestamp_agree_with_the_runtime() -> None:
    base, requests = fixture_export("passphrase")
    assert base == {
        "baseUrl": "https://api.example.com",
        "apiKey": "",
        "secretKey": "",
        "passphrase": "",
    }
    request = filled(requests["balance"], [("ccy", "BTC USD")])
    refused = run(
        request["preRequestScript"],
        request,
        env={"apiKey": "k", "secretKey": "c2VjcmV0"},
        base=base,
    )
    assert refused.returncode != 0 and "set the apiKey, secretKey and passphrase" in refused.stderr
    env = {"apiKey": "k€y", "secretKey": "c2VjcmV0", "passphrase": "pa ss"}
    sent = signed(request, env=env, base=base, now_ms=1607418537715)
    expected = sign_request(
        Signature.from_mapping(yaml.safe_load((FIXTURES / "passphrase.yaml").read_text())["x-signature"]),
        Credentials("k€y", "c2VjcmV0", "pa ss"), method="GET", path="/api/v5/account/balance",
        url_path="/api/v5/account/balance", query=[("ccy", "BTC USD")], at_ns=1607418537715 * 10**6,
    )  # fmt: skip
    assert dict(sent["headers"]) == expected.headers
    assert expected.headers["ACCESS-TIMESTAMP"] == "2020-12-08T09:08:57.715Z"


SHAPES = [
    Signature("hmac-sha512", "base64", "{canonical}", values="urlencoded", pair=":", join=";"),
    Signature("sha256", "hex-upper", "{api_key}|{canonical}|{secret_key}", sort="none"),
    Signature("hmac-sha256", "hex-lower", "{canonical}", exclude=("note",)),
    Signature(
        "sha384", "hex-lower", "{method} {path} {url_path}|{query}|{body}|{secret_key}", sort="none"
    ),
]


@pytest.mark.parametrize(
    "sig", SHAPES, ids=lambda s: f"{s.algorithm}-{s.output}-{s.values}-{s.sort}"
)
def test_script_and_runtime_agree(sig: Signature) -> None:
    params = [("z", "BTC USD/€"), ("a", "a&b=c d"), ("note", "(x)*!'"), ("ids", "[1,2]")]
    sig = dataclasses.replace(sig, key_parameter="key", parameter="sig")
    request = v4_requests()["balance.query"]
    given = copy.deepcopy(request)
    given["body"]["params"] = [{"name": k, "value": v} for k, v in params] + [
        {"name": "key", "value": "{{ _.apiKey }}"}, {"name": "sig", "value": ""}
    ]  # fmt: skip
    sent = signed(given, with_config(request["preRequestScript"], sig), env={"apiKey": "k€y", "secretKey": "s3cr3t"},
                  base={"baseUrl": "https://api.hotbit.io/v2"})  # fmt: skip
    expected = sign_request(
        sig, Credentials("k€y", "s3cr3t"), method="POST", path="/p2/balance.query",
        url_path="/v2/p2/balance.query", query=[], form=params, at_ns=0,
    )  # fmt: skip
    assert expected.form is not None and sent["params"] == [list(p) for p in expected.form]
    if sig.payload == "{canonical}":
        assert dict(sent["params"])["sig"] == sign(
            sig, dict([*params, ("key", "k€y")]), "k€y", "s3cr3t"
        )
