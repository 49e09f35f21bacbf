"""The Postman pre-request script (templates/js/signer.js + postman/prerequest.js.j2) signs like
the runtime.

The script from generated/postman is run with node on a stubbed `pm`, against the published
HotBit vectors; with its signature object swapped for other exchanges' (Binance, BTSE, Kraken:
../shared/reference/exchange_signing_vectors.md, docs.kraken.com) it must give their published
signatures, and for other shapes the extension allows it must give what
generator/runtime/_signing.py gives.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.outputs.signer import path_pattern
from generator.runtime._signing import Credentials, Signature, sign, sign_request

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ROOT / "generated" / "postman" / "hotbit.postman_collection.json"
RUNNER = ROOT / "tests" / "node" / "postman_sign.js"
KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"
SECRET = "de8063ea6e99bc967ba6395d06fabf50"


def script() -> str:
    (event,) = json.loads(COLLECTION.read_text(encoding="utf-8"))["event"]
    return "\n".join(event["script"]["exec"])


def with_signature(
    text: str, sig: Signature, where: str, path: tuple[str, ...], **variables: str
) -> str:
    """The script with its signature object, signed operation and variable names replaced."""
    head, rest = text.split("const SIGNING = ", 1)
    config, code = rest.split(";\n", 1)
    data = json.loads(config)
    data["signature"] = sig.to_mapping()
    data["variables"].update(variables)
    route = "/" + "/".join(path)
    data["operations"] = [
        {"name": "op", "method": "POST", "path": route, "pattern": path_pattern(route),
         "in": "body" if where == "body" else "query"}
    ]  # fmt: skip
    return head + "const SIGNING = " + json.dumps(data) + ";\n" + code


def run(
    text: str | Signature,
    params: list[tuple[str, str]],
    key: str,
    secret: str,
    *,
    where: str = "body",
    path: tuple[str, ...] = ("p2", "balance.query"),
    now_ms: int = 0,
    names: dict[str, str] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """Run the collection's script (or the script with `text` as its signature object)."""
    from shutil import which

    if isinstance(text, Signature):
        text = with_signature(script(), text, where, path, **(names or {}))

    node = which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: install Node.js", pytrace=False)
    request = {
        "script": text,
        "method": "POST",
        "path": list(path),
        "in": where,
        "params": params,
        "variables": {"apiKey": key, "secretKey": secret, **more.pop("variables", {})},
        "nowMs": now_ms,
        **more,
    }
    result = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    return {"params": dict(out["params"]), "pairs": out["params"], "headers": out["headers"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("assets", '["BTC","ETH"]')], "C88F04701D3349D0A93A0164DC5A4CD9"),
        ([("assets", '["BTC", "ETH"]')], "F9B99EEBF4757F0EDCA205268F2F02D3"),
        (
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
def test_hotbit_vectors(params: list[tuple[str, str]], expected: str) -> None:
    sent = run(script(), params, KEY, SECRET)["params"]
    assert sent["api_key"] == KEY and sent["sign"] == expected


BINANCE = Signature.from_mapping(
    {
        "algorithm": "hmac-sha256",
        "payload": "{query}{body}",
        "headers": {"X-MBX-APIKEY": "{api_key}"},
        "parameters": {"timestamp": "{timestamp}", "signature": "{signature}"},
    }
)
BINANCE_ORDER = [
    ("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
    ("price", "0.1"), ("recvWindow", "5000"),
]  # fmt: skip
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_SIGN = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


@pytest.mark.parametrize(
    "slots", [[], [("timestamp", ""), ("signature", "")]], ids=["bare", "slots"]
)
@pytest.mark.parametrize("where", ["query", "body"])
def test_binance_vector(where: str, slots: list[tuple[str, str]]) -> None:
    """Also with the collection's empty slots in the request: the signature's is not signed."""
    sent = run(
        BINANCE, BINANCE_ORDER + slots, "my-key", BINANCE_SECRET,
        where=where, now_ms=1499827319559,
    )  # fmt: skip
    assert sent["pairs"][-2:] == [["timestamp", "1499827319559"], ["signature", BINANCE_SIGN]]
    assert len(sent["pairs"]) == len(BINANCE_ORDER) + 2
    assert sent["headers"] == {"X-MBX-APIKEY": "my-key"}


def test_btse_vector_in_headers() -> None:
    btse = Signature.from_mapping(
        {
            "algorithm": "hmac-sha384",
            "payload": "{path}{nonce}{body}",
            "headers": {
                "request-api": "{api_key}",
                "request-nonce": "{nonce}",
                "request-sign": "{signature}",
            },
        }
    )
    key = "4e9536c79f0fdd72bf04f2430982d3f61d9d76c996f0175bbba470d69d59816x"
    secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
    sent = run(
        btse, [], key, secret, where="query",
        path=("api", "v3.2", "user", "wallet"), now_ms=1624984297330,
        variables={"baseUrl": "https://api.btse.com/spot"},
    )  # fmt: skip
    assert sent["headers"] == {
        "request-api": key,
        "request-nonce": "1624984297330",
        "request-sign": "14b986706a4368221e0af14a6725377161805e7a57d568220478cb3590ce532d"
        "4fad4ac68e6c02a14afced6a0619bfd3",
    }


def test_kraken_vector_nested_hash_base64_secret() -> None:
    kraken = Signature.from_mapping(
        {
            "algorithm": "hmac-sha512", "secret": "base64", "output": "base64",
            "payload": "{url_path}{inner}",
            "digests": {"inner": {"algorithm": "sha256", "payload": "{nonce}{body}", "output": "raw"}},
            "parameters": {"nonce": "{nonce}"},
            "headers": {"API-Key": "{api_key}", "API-Sign": "{signature}"},
        }
    )  # fmt: skip
    secret = (
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    )
    form = [("nonce", ""), ("ordertype", "limit"), ("pair", "XBTUSD"), ("price", "37500"),
            ("type", "buy"), ("volume", "1.25")]  # fmt: skip
    sent = run(
        kraken, form, "k", secret, path=("private", "AddOrder"),
        now_ms=1616492376594, variables={"baseUrl": "https://api.kraken.com/0"},
    )  # fmt: skip
    assert sent["params"]["nonce"] == "1616492376594"
    assert sent["headers"]["API-Sign"] == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )


def test_passphrase_iso_timestamp_and_json_body_agree_with_the_runtime() -> None:
    sig = Signature.from_mapping(
        {
            "algorithm": "hmac-sha256", "output": "base64", "timestamp": "iso8601",
            "payload": "{timestamp}{method}{path}{?query}{body}",
            "digests": {"phrase": {"algorithm": "hmac-sha256", "payload": "{passphrase}", "output": "base64"}},
            "headers": {"K": "{api_key}", "S": "{signature}", "T": "{timestamp}", "P": "{phrase}"},
        }
    )  # fmt: skip
    body = '{"instId":"BTC-USDT","sz":"1"}'
    sent = run(
        sig, [], "k€y", "s3cr3t",
        where="json", path=("p2", "balance.query"), now_ms=1607418537715,
        names={"passphrase": "passphrase"},
        query=[("ccy", "BTC USD")], body=body, variables={"passphrase": "pa ss"},
    )  # fmt: skip
    expected = sign_request(
        sig, Credentials("k€y", "s3cr3t", "pa ss"), method="POST", path="/p2/balance.query",
        url_path="/p2/balance.query", query=[("ccy", "BTC USD")], body=body.encode(),
        at_ns=1607418537715 * 10**6,
    )  # fmt: skip
    assert sent["headers"] == expected.headers
    assert sent["headers"]["T"] == "2020-12-08T09:08:57.715Z"


SHAPES = [
    Signature("hmac-sha512", "base64", "{canonical}", values="urlencoded", pair=":", join=";"),
    Signature("sha256", "hex-upper", "{api_key}|{canonical}|{secret_key}", sort="none"),
    Signature("sha1", "hex-lower", "{secret_key}{canonical}", exclude=("note",)),
    Signature("md5", "base64", "{canonical}&secret_key={secret_key}", values="urlencoded"),
    Signature("sha384", "hex-lower", "{query}|{body}|{secret_key}", sort="none"),
    Signature("hmac-md5", "hex-upper", "{method} {path} {canonical}", secret="base64"),
]


@pytest.mark.parametrize(
    "sig", SHAPES, ids=lambda s: f"{s.algorithm}-{s.output}-{s.values}-{s.sort}"
)
def test_script_and_runtime_agree(sig: Signature) -> None:
    params = [("z", "BTC USD/€"), ("a", "a&b=c d"), ("note", "(x)*!'"), ("ids", "[1,2]")]
    sig = dataclasses.replace(sig, key_parameter="key", parameter="sig")
    secret = "c2VjcmV0" if sig.secret == "base64" else "s3cr3t"
    sent = run(sig, params, "k€y", secret)
    expected = sign_request(
        sig, Credentials("k€y", secret), method="POST", path="/p2/balance.query",
        url_path="/p2/balance.query", query=[], form=params, at_ns=0,
    )  # fmt: skip
    assert expected.form is not None and expected.form[-1][0] == "sig"
    assert sent["params"]["sig"] == expected.form[-1][1]
    if "{canonical}" == sig.payload:
        assert sent["params"]["sig"] == sign(sig, dict([*params, ("key", "k€y")]), "k€y", secret)
