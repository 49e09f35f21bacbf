"""The Postman pre-request script (templates/postman/prerequest.js.j2) signs like the runtime.

The script from generated/postman is run with node on a stubbed `pm`, against the published
HotBit vectors; with its configuration swapped for other signature objects (Binance's, and a
few shapes the extension allows) it must give what generator/runtime/_signing.py gives.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.runtime._signing import Signature, sign

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ROOT / "generated" / "postman" / "hotbit.postman_collection.json"
RUNNER = ROOT / "tests" / "node" / "postman_sign.js"
KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"
SECRET = "de8063ea6e99bc967ba6395d06fabf50"


def script() -> str:
    (event,) = json.loads(COLLECTION.read_text(encoding="utf-8"))["event"]
    return "\n".join(event["script"]["exec"])


def with_config(text: str, **changes: Any) -> str:
    head, rest = text.split("const SIGNING = ", 1)
    config, code = rest.split(";\n", 1)
    return head + "const SIGNING = " + json.dumps({**json.loads(config), **changes}) + ";\n" + code


def run(text: str, params: list[tuple[str, str]], key: str, secret: str) -> dict[str, str]:
    from shutil import which

    node = which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: install Node.js", pytrace=False)
    request = {
        "script": text,
        "method": "POST",
        "path": ["p2", "balance.query"],
        "in": "body",
        "params": params,
        "variables": {"apiKey": key, "secretKey": secret},
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
    return dict(json.loads(result.stdout))


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
    sent = run(script(), params, KEY, SECRET)
    assert sent["api_key"] == KEY and sent["sign"] == expected


def test_binance_vector() -> None:
    params = [
        ("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
        ("price", "0.1"), ("recvWindow", "5000"), ("timestamp", "1499827319559"),
    ]  # fmt: skip
    text = with_config(
        script(), algorithm="hmac-sha256", output="hex-lower", payload="{canonical}", sort="none",
        keyParameter="apiKey", signatureParameter="signature", exclude=["signature", "apiKey"],
    )  # fmt: skip
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    assert run(text, params, "key", secret)["signature"] == (
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


SHAPES = [
    Signature("hmac-sha512", "base64", "{canonical}", values="urlencoded", pair=":", join=";"),
    Signature("sha256", "hex-upper", "{api_key}|{canonical}|{secret_key}", sort="none"),
    Signature("sha1", "hex-lower", "{secret_key}{canonical}", exclude=("note",)),
    Signature("md5", "base64", "{canonical}&secret_key={secret_key}", values="urlencoded"),
]


@pytest.mark.parametrize(
    "sig", SHAPES, ids=lambda s: f"{s.algorithm}-{s.output}-{s.values}-{s.sort}"
)
def test_script_and_runtime_agree(sig: Signature) -> None:
    params = [("z", "BTC USD/€"), ("a", "a&b=c d"), ("note", "(x)*!'"), ("ids", "[1,2]")]
    text = with_config(
        script(), algorithm=sig.algorithm, output=sig.output, payload=sig.payload, sort=sig.sort,
        values=sig.values, pair=sig.pair, join=sig.join, exclude=["sig", *sig.exclude],
        keyParameter="key", signatureParameter="sig",
    )  # fmt: skip
    sent = run(text, params, "k€y", "s3cr3t")
    expected = Signature(
        sig.algorithm,
        sig.output,
        sig.payload,
        sig.sort,
        sig.values,
        sig.pair,
        sig.join,
        sig.exclude,
        parameter="sig",
    )
    assert sent["sig"] == sign(expected, dict([*params, ("key", "k€y")]), "k€y", "s3cr3t")
