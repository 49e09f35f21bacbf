"""Generated clients sign as their spec's x-signature says, byte for byte on the wire.

Small specs in tests/fixtures/signing/ declare real exchanges' schemes (Binance, BTSE, Kraken, a
passphrase scheme with an ISO-8601 timestamp); each is generated, imported, and called over
loopback against the REST mock, which checks the signature with the same runtime code. The
bytes the mock received are compared with the published vectors
(../shared/reference/exchange_signing_vectors.md; Kraken's from docs.kraken.com) or with a
signature recomputed here with hmac/hashlib. HotBit's committed SDK keeps its vectors, and
docs/overlays/ on Binance's published COIN-M spec signs like Binance's vector.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import inspect
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import msgspec
import pytest
from support import REST_API_KEY, REST_SECRET_KEY, ROOT
from support.corpus import generate_package

from generator.mock import RestMock, Status

SPECS = ROOT / "tests" / "fixtures" / "signing"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_SIGN = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
BINANCE_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
    "&timestamp=1499827319559"
)
BTSE_SECRET = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx"
BTSE_KEY = "4e9536c79f0fdd72bf04f2430982d3f61d9d76c996f0175bbba470d69d59816x"
BTSE_SIGN = (
    "14b986706a4368221e0af14a6725377161805e7a57d568220478cb3590ce532d"
    "4fad4ac68e6c02a14afced6a0619bfd3"
)
KRAKEN_SECRET = (
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
)


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    root = tmp_path_factory.mktemp("signing")
    out: dict[str, ModuleType] = {}
    for name in ("binance", "btse", "kraken", "passphrase"):
        generated = generate_package(SPECS / f"{name}.yaml", root / name, f"signed_{name}")
        assert generated.error is None, generated.error
        sys.path.insert(0, str(generated.out))
        out[name] = importlib.import_module(generated.package)
    yield out
    for name in out:
        sys.path.remove(str(root / name))


def at(monkeypatch: pytest.MonkeyPatch, pkg: ModuleType, ms: int) -> None:
    """Sign at a fixed time (the vectors' timestamp or nonce), with fresh nonces."""
    signing = importlib.import_module(pkg.__name__ + "._signing")
    monkeypatch.setattr(signing, "now_ns", lambda: ms * 10**6)
    monkeypatch.setattr(signing, "_last_nonce", {})


def mock(name: str, secret: str) -> RestMock:
    return RestMock(SPECS / f"{name}.yaml", secret_key=secret)


ORDER = {
    "symbol": "LTCBTC", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC",
    "quantity": "1", "price": "0.1", "recv_window": 5000,
}  # fmt: skip


def test_binance_query_string_signature_on_the_wire(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["binance"]
    at(monkeypatch, pkg, 1499827319559)
    with mock("binance", BINANCE_SECRET) as server:
        with pkg.Client(api_key="my-key", secret_key=BINANCE_SECRET, base_url=server.url) as c:
            c.test_new_order(**ORDER)
        [got] = server.requests
    assert got.raw_query == f"{BINANCE_QUERY}&signature={BINANCE_SIGN}"
    assert got.headers["x-mbx-apikey"] == "my-key" and got.body == b""


def test_binance_form_body_signature_on_the_wire(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["binance"]
    at(monkeypatch, pkg, 1499827319559)
    with mock("binance", BINANCE_SECRET) as server:
        with pkg.Client(api_key="my-key", secret_key=BINANCE_SECRET, base_url=server.url) as c:
            order = c.new_order(**ORDER)
        [got] = server.requests
    assert msgspec.to_builtins(order) == {"symbol": "LTCBTC", "orderId": 28}
    assert got.body == f"{BINANCE_QUERY}&signature={BINANCE_SIGN}".encode()
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    assert got.raw_query == "" and got.headers["x-mbx-apikey"] == "my-key"


CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "exchanges"
CMFUTURES = CORPUS / "openapi" / "binance-cmfutures.openapi.yaml"
CM_OVERLAY = ROOT / "docs" / "overlays" / "binance-cmfutures.overlay.yaml"


@pytest.fixture(scope="module")
def binance_cm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Binance's published COIN-M Futures spec (unmodified) with the shipped overlay."""
    root = tmp_path_factory.mktemp("binance_cm")
    generated = generate_package(CMFUTURES, root, "overlaid_binance_cm", overlays=(CM_OVERLAY,))
    assert generated.error is None, generated.error
    sys.path.insert(0, str(root))
    yield importlib.import_module(generated.package)
    sys.path.remove(str(root))


def test_the_shipped_overlay_on_binances_spec_signs_like_binances_vector(
    binance_cm: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of Binance's vector, as a form body and as a query string: the same bytes."""
    at(monkeypatch, binance_cm, 1499827319559)
    keys = {"api_key": "my-key", "secret_key": BINANCE_SECRET}
    with RestMock(CMFUTURES, secret_key=BINANCE_SECRET, overlays=[CM_OVERLAY]) as server:
        with binance_cm.Client(**keys, base_url=server.url) as c:
            c.create_order_v1(**ORDER)
            c.get_order_v1(symbol="LTCBTC", order_id=28, recv_window=5000)
            c.get_time_v1()
            with pytest.raises(binance_cm.MissingCredentials):
                binance_cm.Client(base_url=server.url).get_order_v1(symbol="LTCBTC")
        order, status, clock = server.requests
    assert (order.method, order.path) == ("POST", "/dapi/v1/order")
    assert order.body == f"{BINANCE_QUERY}&signature={BINANCE_SIGN}".encode()
    assert order.headers["content-type"] == "application/x-www-form-urlencoded"
    assert order.raw_query == "" and order.headers["x-mbx-apikey"] == "my-key"
    query = "symbol=LTCBTC&orderId=28&recvWindow=5000&timestamp=1499827319559"
    expected = hmac.new(BINANCE_SECRET.encode(), query.encode(), "sha256").hexdigest()
    assert (status.method, status.path) == ("GET", "/dapi/v1/order")
    assert status.raw_query == f"{query}&signature={expected}" and status.body == b""
    assert clock.path == "/dapi/v1/time" and clock.raw_query == ""  # public: not signed
    assert "x-mbx-apikey" not in clock.headers
    assert "timestamp" not in inspect.signature(binance_cm.Client.create_order_v1).parameters


def test_binance_constructor_and_unsigned_calls(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["binance"]
    assert "passphrase" not in inspect.signature(pkg.Client).parameters
    with mock("binance", BINANCE_SECRET) as server:
        with pkg.Client(base_url=server.url) as c:
            assert msgspec.to_builtins(c.time()) == {"serverTime": 1499827319559}
            with pytest.raises(pkg.MissingCredentials):
                c.new_order(**ORDER)
        [got] = server.requests  # the signed call never left the client
    assert got.raw_query == "" and "x-mbx-apikey" not in got.headers


def test_binance_wrong_secret_is_refused_by_the_mock(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["binance"]
    with mock("binance", BINANCE_SECRET) as server:
        c = pkg.Client(api_key="k", secret_key="wrong", base_url=server.url)
        with c, pytest.raises(pkg.HTTPStatusError) as info:
            c.new_order(**ORDER)
    assert b"invalid signature" in info.value.raw


def test_binance_signature_is_masked_in_logs(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pkg = sdk["binance"]
    at(monkeypatch, pkg, 1499827319559)
    with caplog.at_level(logging.DEBUG), mock("binance", BINANCE_SECRET) as server:
        keys = {"api_key": "my-key", "secret_key": BINANCE_SECRET}
        with pkg.Client(**keys, base_url=server.url) as c:
            c.test_new_order(**ORDER)
    sdk_log = "\n".join(
        r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("httpx", pkg.__name__)
    )
    assert "signature=***" in sdk_log
    assert BINANCE_SIGN not in sdk_log and BINANCE_SECRET not in sdk_log


def test_a_retried_signed_call_is_signed_again_with_a_fresh_timestamp(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["binance"]
    signing = importlib.import_module(pkg.__name__ + "._signing")
    clock = iter(range(1499827319559, 1499827319600))
    monkeypatch.setattr(signing, "now_ns", lambda: next(clock) * 10**6)
    with mock("binance", BINANCE_SECRET) as server:
        server.inject("account", Status(503))
        keys = {"api_key": "my-key", "secret_key": BINANCE_SECRET}
        with pkg.Client(**keys, base_url=server.url, max_retries=1) as c:
            assert msgspec.to_builtins(c.account(recv_window=5000)) == {"canTrade": True}
        first, second = server.requests
    assert first.raw_query.startswith("recvWindow=5000&timestamp=1499827319559&signature=")
    assert second.raw_query.startswith("recvWindow=5000&timestamp=1499827319560&signature=")
    query = "recvWindow=5000&timestamp=1499827319560"
    expected = hmac.new(BINANCE_SECRET.encode(), query.encode(), "sha256").hexdigest()
    assert second.raw_query == f"{query}&signature={expected}"


def test_btse_headers_on_the_wire(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["btse"]
    at(monkeypatch, pkg, 1624984297330)
    with mock("btse", BTSE_SECRET) as server:
        assert server.url.endswith("/spot")
        with pkg.Client(api_key=BTSE_KEY, secret_key=BTSE_SECRET, base_url=server.url) as c:
            c.wallet()
            c.new_order(symbol="BTC-USD", size=1, side="BUY")
        wallet, order = server.requests
    assert wallet.path == "/spot/api/v3.2/user/wallet" and wallet.raw_query == ""
    assert {k: wallet.headers[k] for k in ("request-api", "request-nonce", "request-sign")} == {
        "request-api": BTSE_KEY,
        "request-nonce": "1624984297330",
        "request-sign": BTSE_SIGN,
    }
    nonce = order.headers["request-nonce"]
    assert nonce == "1624984297331"  # nonces grow within one millisecond
    payload = b"/api/v3.2/order" + nonce.encode() + order.body
    assert order.body == b'{"symbol":"BTC-USD","size":1,"side":"BUY"}'
    expected = hmac.new(BTSE_SECRET.encode(), payload, hashlib.sha384).hexdigest()
    assert order.headers["request-sign"] == expected


def test_kraken_nested_hash_on_the_wire(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["kraken"]
    at(monkeypatch, pkg, 1616492376594)
    with mock("kraken", KRAKEN_SECRET) as server:
        with pkg.Client(api_key="k", secret_key=KRAKEN_SECRET, base_url=server.url) as c:
            c.add_order(ordertype="limit", pair="XBTUSD", price="37500", type="buy", volume="1.25")
        [got] = server.requests
    assert got.body == (
        b"ordertype=limit&pair=XBTUSD&type=buy&volume=1.25&price=37500&nonce=1616492376594"
    )
    inner = hashlib.sha256(b"1616492376594" + got.body).digest()
    mac = hmac.new(base64.b64decode(KRAKEN_SECRET), b"/0/private/AddOrder" + inner, "sha512")
    assert got.headers["api-sign"] == base64.b64encode(mac.digest()).decode()
    assert got.headers["api-key"] == "k"


def test_passphrase_scheme_on_the_wire(
    sdk: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = sdk["passphrase"]
    at(monkeypatch, pkg, 1607418537715)
    secret = base64.b64encode(b"s3cr3t").decode()
    assert "passphrase" in inspect.signature(pkg.Client).parameters
    with mock("passphrase", secret) as server:
        keys = {"api_key": "k", "secret_key": secret, "base_url": server.url}
        with pkg.Client(**keys) as c, pytest.raises(pkg.MissingCredentials):
            c.balance(ccy="BTC")
        with pkg.Client(**keys, passphrase="pass") as c:
            c.balance(ccy="BTC")
        [got] = server.requests
    sign = hmac.new(
        b"s3cr3t", b"2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC", "sha256"
    )
    phrase = hmac.new(b"s3cr3t", b"pass", "sha256")
    assert {k: got.headers[k] for k in ("access-key", "access-sign", "access-timestamp", "access-passphrase")} == {
        "access-key": "k",
        "access-sign": base64.b64encode(sign.digest()).decode(),
        "access-timestamp": "2020-12-08T09:08:57.715Z",
        "access-passphrase": base64.b64encode(phrase.digest()).decode(),
    }  # fmt: skip


def test_hotbit_sdk_keeps_its_vectors_on_the_wire(rest_mock: RestMock) -> None:
    import hotbit

    with hotbit.Client(REST_API_KEY, REST_SECRET_KEY, base_url=rest_mock.url) as c:
        c.balance_query(assets=["BTC", "ETH"])
    got = rest_mock.requests[-1]
    assert got.body == (
        b"assets=%5B%22BTC%22%2C%22ETH%22%5D&api_key=6b97d781-5ffd-958f-576d96d0bbebc8c6"
        b"&sign=C88F04701D3349D0A93A0164DC5A4CD9"
    )
    assert "passphrase" not in inspect.signature(hotbit.Client).parameters


def test_the_cli_takes_a_passphrase_only_where_the_signature_needs_one(
    sdk: dict[str, ModuleType],
) -> None:
    import os
    import subprocess

    secret = base64.b64encode(b"s3cr3t").decode()
    folder = str(Path(sdk["passphrase"].__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": folder, "SIGNED_PASSPHRASE_PASSPHRASE": "pass"}
    with mock("passphrase", secret) as server:
        args = ["balance", "--ccy", "BTC", "--base-url", server.url, "--api-key", "k"]
        done = subprocess.run(
            [sys.executable, "-m", "signed_passphrase", *args, "--secret-key", secret],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [got] = server.requests
    phrase = hmac.new(b"s3cr3t", b"pass", "sha256").digest()
    assert got.headers["access-passphrase"] == base64.b64encode(phrase).decode()
    assert "pass" not in done.stdout + done.stderr and secret not in done.stdout + done.stderr
    folder = str(Path(sdk["binance"].__file__).parents[1])
    helps = subprocess.run(
        [sys.executable, "-m", "signed_binance", "new_order", "--help"],
        env={**os.environ, "PYTHONPATH": folder}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert helps.returncode == 0 and "--secret-key" in helps.stdout
    assert "--passphrase" not in helps.stdout


@pytest.mark.parametrize("name", ["binance", "btse", "kraken", "passphrase"])
def test_the_reference_shell_samples_sign_like_the_mock_expects(
    sdk: dict[str, ModuleType], name: str
) -> None:
    """Every signed operation's curl sample (signature computed with openssl) is accepted."""
    import os
    import re
    import shutil
    import subprocess

    bash, curl, openssl = shutil.which("bash"), shutil.which("curl"), shutil.which("openssl")
    assert bash and curl and openssl, "the shell samples need bash, curl and openssl"
    secret = KRAKEN_SECRET if name in ("kraken", "passphrase") else "s3cr3t"
    reference = Path(sdk[name].__file__).parents[1] / "docs" / "reference.md"
    blocks = re.findall(r"```shell\n(.*?)\n```", reference.read_text(encoding="utf-8"), re.DOTALL)
    samples = [b for b in blocks if "SIGN=$(" in b]
    assert len(samples) == {"binance": 3, "btse": 2, "kraken": 1, "passphrase": 1}[name]
    base = re.search(r"^  - url: (\S+)", (SPECS / f"{name}.yaml").read_text(), re.MULTILINE)
    assert base is not None
    env = {**os.environ, "API_KEY": "my-key", "SECRET_KEY": secret, "PASSPHRASE": "pass"}
    with mock(name, secret) as server:
        for sample in samples:
            script = (
                sample.replace(base.group(1), server.url)
                + " --fail-with-body --silent --show-error --max-time 20"
            )
            done = subprocess.run(
                [bash, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
            )  # fmt: skip
            assert done.returncode == 0, (sample, done.stdout, done.stderr)
        assert len(server.requests) == len(samples)
