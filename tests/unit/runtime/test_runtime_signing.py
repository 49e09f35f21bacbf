"""generator/runtime/_signing.py against published vectors; the mocks sign with the same code.

HotBit: the exchange's documented vectors (and two derived ones). Binance (HMAC-SHA256 of the
parameters in the order sent, key header, ms timestamp parameter, signature parameter last) and
BTSE (HMAC-SHA384 of path + nonce + body, three headers): ../shared/reference/
exchange_signing_vectors.md. Kraken (HMAC-SHA512, base64 secret, a SHA-256 inside): the example
of docs.kraken.com ("Authentication"), matched byte for byte here.
"""

from __future__ import annotations

import pytest

from generator.runtime import _signing
from generator.runtime._signing import (
    Credentials,
    Signature,
    canonical,
    check_request,
    clock_text,
    digest,
    encode_pairs,
    sign,
    sign_request,
)

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
    assert sign(binance, params, "", secret) == BINANCE_SIGN


def test_btse_digest_core() -> None:
    btse = Signature("hmac-sha384", "hex-lower")
    secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
    assert digest(btse, "/api/v3.2/user/wallet1624984297330", secret) == BTSE_SIGN


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


def test_from_mapping_reads_the_spec_shape_and_to_mapping_round_trips() -> None:
    raw = {
        "algorithm": "md5",
        "output": "hex-upper",
        "payload": "{canonical}",
        "canonical": {"exclude": ["x"]},
        "key-parameter": "api_key",
        "parameter": "sign",
    }
    sig = Signature.from_mapping(raw)
    assert sig == Signature(
        "md5", "hex-upper", "{canonical}", exclude=("x",), key_parameter="api_key", parameter="sign"
    )
    assert Signature.from_mapping(sig.to_mapping()) == sig
    assert Signature.from_mapping(BINANCE.to_mapping()) == BINANCE
    assert Signature.from_mapping(KRAKEN.to_mapping()) == KRAKEN


def test_the_sdk_function_needs_a_signature_in_constants() -> None:
    """The stand-in _constants.py has none: the SDK function says so instead of signing."""
    assert _signing.REST is None
    with pytest.raises(RuntimeError):
        _signing.ws_auth_signature("k", "s")


def test_the_mocks_sign_with_the_runtime() -> None:
    from generator.mock import rest as mock
    from generator.mock import ws as mock_ws
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


# -- whole requests: what sign_request adds, and check_request accepts -------------------------
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_SIGN = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
BINANCE_ORDER = [
    ("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
    ("quantity", "1"), ("price", "0.1"), ("recvWindow", "5000"),
]  # fmt: skip
BINANCE_MS = 1499827319559
BINANCE = Signature.from_mapping(
    {
        "algorithm": "hmac-sha256",
        "payload": "{query}{body}",
        "timestamp": "ms",
        "headers": {"X-MBX-APIKEY": "{api_key}"},
        "parameters": {"timestamp": "{timestamp}", "signature": "{signature}"},
    }
)
BTSE_SECRET = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
BTSE_KEY = "4e9536c79f0fdd72bf04f2430982d3f61d9d76c996f0175bbba470d69d59816x"
BTSE_SIGN = (
    "14b986706a4368221e0af14a6725377161805e7a57d568220478cb3590ce532d"
    "4fad4ac68e6c02a14afced6a0619bfd3"
)
BTSE = Signature.from_mapping(
    {
        "algorithm": "hmac-sha384",
        "payload": "{path}{nonce}{body}",
        "nonce": "ms",
        "headers": {
            "request-api": "{api_key}",
            "request-nonce": "{nonce}",
            "request-sign": "{signature}",
        },
    }
)
KRAKEN_SECRET = (
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
)
KRAKEN = Signature.from_mapping(
    {
        "algorithm": "hmac-sha512",
        "secret": "base64",
        "output": "base64",
        "payload": "{path}{inner}",
        "digests": {"inner": {"algorithm": "sha256", "payload": "{nonce}{body}", "output": "raw"}},
        "parameters": {"nonce": "{nonce}"},
        "headers": {"API-Key": "{api_key}", "API-Sign": "{signature}"},
    }
)


@pytest.fixture(autouse=True)
def _fresh_nonces() -> None:
    _signing._last_nonce.clear()


def test_binance_get_signs_the_query_as_sent_with_the_signature_last() -> None:
    signed = sign_request(
        BINANCE, Credentials("my-key", BINANCE_SECRET), method="GET", path="/api/v3/order",
        url_path="/api/v3/order", query=BINANCE_ORDER, at_ns=BINANCE_MS * 10**6,
    )  # fmt: skip
    assert encode_pairs(signed.query) == (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        f"&recvWindow=5000&timestamp=1499827319559&signature={BINANCE_SIGN}"
    )
    assert signed.form is None and signed.headers == {"X-MBX-APIKEY": "my-key"}


def test_binance_post_signs_the_form_body_as_sent() -> None:
    signed = sign_request(
        BINANCE, Credentials("my-key", BINANCE_SECRET), method="POST", path="/api/v3/order",
        url_path="/api/v3/order", query=[], form=BINANCE_ORDER, at_ns=BINANCE_MS * 10**6,
    )  # fmt: skip
    assert signed.query == [] and signed.form is not None
    assert signed.form[-2:] == [("timestamp", str(BINANCE_MS)), ("signature", BINANCE_SIGN)]


def test_btse_signs_path_nonce_and_body_into_headers() -> None:
    signed = sign_request(
        BTSE, Credentials(BTSE_KEY, BTSE_SECRET), method="GET", path="/api/v3.2/user/wallet",
        url_path="/spot/api/v3.2/user/wallet", query=[], at_ns=1624984297330 * 10**6,
    )  # fmt: skip
    assert signed.headers == {
        "request-api": BTSE_KEY,
        "request-nonce": "1624984297330",
        "request-sign": BTSE_SIGN,
    }
    assert signed.query == []


def test_kraken_nested_hash_with_a_base64_secret() -> None:
    form = [("nonce", ""), ("ordertype", "limit"), ("pair", "XBTUSD"), ("price", "37500"),
            ("type", "buy"), ("volume", "1.25")]  # fmt: skip
    signed = sign_request(
        KRAKEN, Credentials("k", KRAKEN_SECRET), method="POST", path="/0/private/AddOrder",
        url_path="/0/private/AddOrder", query=[], form=form, at_ns=1616492376594 * 10**6,
    )  # fmt: skip
    assert signed.form is not None and signed.form[0] == ("nonce", "1616492376594")
    assert signed.headers["API-Sign"] == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )


def test_clock_formats_and_growing_nonces() -> None:
    ns = 1607418537715 * 10**6 + 123
    assert clock_text("ms", ns) == "1607418537715"
    assert clock_text("s", ns) == "1607418537"
    assert clock_text("us", ns) == "1607418537715000"
    assert clock_text("iso8601", ns) == "2020-12-08T09:08:57.715Z"
    nonces = [_signing._next_nonce("ms", ns) for _ in range(3)]
    assert nonces == ["1607418537715", "1607418537716", "1607418537717"]


def test_passphrase_iso_timestamp_and_a_signed_passphrase_header() -> None:
    """Timestamp + method + path + query + body (HMAC-SHA256, base64), passphrase headers."""
    sig = Signature.from_mapping(
        {
            "algorithm": "hmac-sha256",
            "output": "base64",
            "payload": "{timestamp}{method}{path}{?query}{body}",
            "timestamp": "iso8601",
            "digests": {
                "signed_passphrase": {
                    "algorithm": "hmac-sha256", "payload": "{passphrase}", "output": "base64",
                },
            },
            "headers": {
                "ACCESS-KEY": "{api_key}", "ACCESS-SIGN": "{signature}",
                "ACCESS-TIMESTAMP": "{timestamp}", "ACCESS-PASSPHRASE": "{signed_passphrase}",
            },
        }
    )  # fmt: skip
    assert sig.needs_passphrase and not BINANCE.needs_passphrase
    creds = Credentials("k", "s3cr3t", "pass")
    signed = sign_request(
        sig, creds, method="get", path="/api/v5/account/balance", url_path="/api/v5/account/balance",
        query=[("ccy", "BTC")], at_ns=1607418537715 * 10**6,
    )  # fmt: skip
    payload = "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
    as_sig = Signature("hmac-sha256", "base64")
    assert signed.headers == {
        "ACCESS-KEY": "k",
        "ACCESS-SIGN": digest(as_sig, payload, "s3cr3t"),
        "ACCESS-TIMESTAMP": "2020-12-08T09:08:57.715Z",
        "ACCESS-PASSPHRASE": digest(as_sig, "pass", "s3cr3t"),
    }
    assert "pass" not in repr(creds) and "s3cr3t" not in repr(creds)


@pytest.mark.parametrize(
    "sig", [BINANCE, BTSE, KRAKEN, HOTBIT_REST], ids=["binance", "btse", "kraken", "hotbit"]
)
@pytest.mark.parametrize("in_body", [False, True])
def test_what_the_sdk_signs_the_server_accepts_and_a_change_it_refuses(
    sig: Signature, in_body: bool
) -> None:
    secret = KRAKEN_SECRET if sig is KRAKEN else "s3cr3t"
    pairs = [("b", "x y/€"), ("a", '["BTC","ETH"]')]
    signed = sign_request(
        sig, Credentials("my key", secret), method="POST", path="/v1/x", url_path="/base/v1/x",
        query=[("q", "1")] if in_body else pairs, form=pairs if in_body else None,
        body=b"", at_ns=1_700_000_000_000_000_000,
    )  # fmt: skip
    form = encode_pairs(signed.form) if signed.form is not None else ""
    wire = {
        "method": "POST", "path": "/v1/x", "url_path": "/base/v1/x",
        "query": encode_pairs(signed.query), "form": in_body,
        "headers": {k.lower(): v for k, v in signed.headers.items()},
    }  # fmt: skip
    assert check_request(sig, secret, body=form.encode(), **wire) == ("my key", None)
    tampered = form.replace("BTC", "ETC") if in_body else form
    wire["query"] = wire["query"] if in_body else wire["query"].replace("BTC", "ETC")
    covered = in_body or sig not in (BTSE, KRAKEN)  # these two do not sign the query
    refused = check_request(sig, secret, body=tampered.encode(), **wire)[1]
    assert refused == ("invalid signature" if covered else None)
    wire["query"] = encode_pairs(signed.query)
    other = "b3RoZXI=" if sig is KRAKEN else "other"
    assert check_request(sig, other, body=form.encode(), **wire)[1] == "invalid signature"


def test_a_secret_that_is_not_base64_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not base64") as info:
        sign_request(KRAKEN, Credentials("k", "not base64!"), method="POST", path="/", url_path="/",
                     query=[], form=[], at_ns=0)  # fmt: skip
    assert "not base64!" not in str(info.value)


def test_a_binary_body_is_signed_byte_for_byte() -> None:
    import hashlib

    sig = Signature.from_mapping(
        {"algorithm": "sha256", "payload": "{body}", "headers": {"X-Sign": "{signature}"}}
    )
    body = b"\xff\x00\xfe"
    signed = sign_request(
        sig, Credentials("k", "s"), method="PUT", path="/f", url_path="/f", query=[], body=body
    )
    assert signed.headers["X-Sign"] == hashlib.sha256(body).hexdigest()
    wire = {"method": "PUT", "path": "/f", "url_path": "/f", "query": "", "form": False}
    assert check_request(
        sig, "s", body=body, headers={"x-sign": signed.headers["X-Sign"]}, **wire
    ) == ("", None)
