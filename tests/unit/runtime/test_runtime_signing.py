"""generator/runtime/_signing.py against published vectors; the mocks sign with the same code.

HotBit: the exchange's documented vectors (and two derived ones). Binance: the spot REST example
(HMAC-SHA256 over the parameters in the order sent) is a signature object with `sort: none`; what
x-signature cannot say is the key in the `X-MBX-APIKEY` header (`key-parameter` is a request
parameter) and the `timestamp` the client must add. BTSE signs path + nonce + raw body with
HMAC-SHA384 and sends key, nonce and signature as headers: the signature object has no placeholder
for the path, a nonce or the body, and the extension's algorithms stop at sha512, so only the
digest core (which takes any hashlib algorithm) is checked against its vector.
"""

from __future__ import annotations

import pytest

from generator.runtime import _signing
from generator.runtime._signing import Signature, canonical, digest, sign

HOTBIT_KEY = "6b97d781-5ffd-958f-576d96d0bbebc8c6"
HOTBIT_SECRET = "de8063ea6e99bc967ba6395d06fabf50"
HOTBIT_REST = Signature(
    "md5",
    "hex-upper",
    "{canonical}&secret_key={secret_key}",
    key_parameter="api_key",
    parameter="sign",
)
HOTBIT_WS = Signature("md5", "hex-upper", "api_key={api_key}&secret_key={secret_key}")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"assets": '["BTC","ETH"]'}, "C88F04701D3349D0A93A0164DC5A4CD9"),  # the docs' vector
        ({"assets": '["BTC", "ETH"]'}, "F9B99EEBF4757F0EDCA205268F2F02D3"),  # the bytes sent count
        (
            {"market": "ETHBTC", "side": "2", "amount": "0.4", "price": "0.08", "isfee": "0"},
            "8294D70DE6971E23F82D17A544BB6320",
        ),
    ],
)
def test_hotbit_rest_vectors(params: dict[str, str], expected: str) -> None:
    params = {**params, "api_key": HOTBIT_KEY, "sign": "left out"}
    assert sign(HOTBIT_REST, params, HOTBIT_KEY, HOTBIT_SECRET) == expected


def test_hotbit_canonical_string_is_sorted_raw_and_leaves_the_signature_out() -> None:
    params = {"assets": '["BTC","ETH"]', "api_key": HOTBIT_KEY, "sign": "x"}
    assert canonical(HOTBIT_REST, params) == f'api_key={HOTBIT_KEY}&assets=["BTC","ETH"]'


def test_hotbit_ws_auth_vector() -> None:
    assert sign(HOTBIT_WS, {}, HOTBIT_KEY, HOTBIT_SECRET) == "9554978236F943D2F6AD278E829B9C1D"


def test_binance_vector_as_an_unsorted_signature_object() -> None:
    binance = Signature(
        "hmac-sha256", "hex-lower", "{canonical}", sort="none", parameter="signature"
    )
    params = {
        "symbol": "LTCBTC",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "1",
        "price": "0.1",
        "recvWindow": "5000",
        "timestamp": "1499827319559",
    }
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    assert canonical(binance, params) == (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert sign(binance, params, "", secret) == (
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


def test_btse_digest_core() -> None:
    """Only the digest: `{path}{nonce}{body}` is not expressible as a signature object."""
    btse = Signature("hmac-sha384", "hex-lower")
    secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
    assert digest(btse, "/api/v3.2/user/wallet1624984297330", secret) == (
        "14b986706a4368221e0af14a6725377161805e7a57d568220478cb3590ce532d"
        "4fad4ac68e6c02a14afced6a0619bfd3"
    )


def test_urlencoded_values_exclusions_and_outputs() -> None:
    sig = Signature(
        "sha256",
        "base64",
        "{secret_key}:{canonical}",
        values="urlencoded",
        pair=":",
        join=";",
        exclude=("note",),
        parameter="sig",
    )
    params = {"b": "x y/€", "a": "1&2", "note": "not signed", "sig": "not signed"}
    assert canonical(sig, params) == "a:1%262;b:x%20y%2F%E2%82%AC"
    assert sign(sig, params, "k", "s") == digest(sig, "s:a:1%262;b:x%20y%2F%E2%82%AC", "s")
    assert len(digest(Signature("md5", "hex-lower"), "", "")) == 32


def test_placeholders_are_filled_once() -> None:
    """A secret that looks like a placeholder is not expanded again."""
    sig = Signature("md5", "hex-lower", "{api_key}|{secret_key}")
    assert sign(sig, {}, "{secret_key}", "s") == digest(sig, "{secret_key}|s", "s")


def test_from_mapping_reads_what_constants_hold() -> None:
    raw = {
        "algorithm": "md5",
        "output": "hex-upper",
        "payload": "{canonical}",
        "exclude": ["x"],
        "key_parameter": "api_key",
        "parameter": "sign",
    }
    assert Signature.from_mapping(raw) == Signature(
        "md5", "hex-upper", "{canonical}", exclude=("x",), key_parameter="api_key", parameter="sign"
    )


def test_sdk_functions_need_a_signature_in_constants() -> None:
    """The stand-in _constants.py has none: the SDK functions say so instead of signing."""
    with pytest.raises(RuntimeError):
        _signing.sign_params({}, "k", "s")
    with pytest.raises(RuntimeError):
        _signing.ws_auth_signature("k", "s")


def test_the_mocks_sign_with_the_runtime() -> None:
    from generator import mock, mock_ws
    from generator.model.ir import Signature as IRSignature

    ir = IRSignature("md5", "hex-upper", "{canonical}&secret_key={secret_key}", parameter="sign")
    params = {"assets": '["BTC","ETH"]', "api_key": HOTBIT_KEY}
    assert mock.compute_signature(ir, params, HOTBIT_KEY, HOTBIT_SECRET) == (
        "C88F04701D3349D0A93A0164DC5A4CD9"
    )
    ws_sig = {
        "algorithm": "md5",
        "output": "hex-upper",
        "payload": "api_key={api_key}&secret_key={secret_key}",
    }
    assert mock_ws._sign(ws_sig, HOTBIT_KEY, HOTBIT_SECRET) == "9554978236F943D2F6AD278E829B9C1D"
