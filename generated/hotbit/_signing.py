"""Request signatures as the spec's signature objects describe them. No I/O.

One implementation serves the SDK and the generator's mock servers. A signature object
(`x-signature`, `x-rpc.auth.signature`, docs/spec-extensions.md) says which payload is hashed
(a template over the request as sent), how, and where the key, timestamp, nonce and signature
travel (header or parameter templates). The SDK's own objects come from `_constants.py`, in the
spec's own shape.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus, urlencode

from . import _constants as C

__all__ = [
    "HASHES",
    "Credentials",
    "Digest",
    "Message",
    "Signature",
    "Signed",
    "canonical",
    "check_request",
    "digest",
    "encode_pairs",
    "placeholders",
    "sign",
    "sign_request",
    "signature_of",
    "ws_auth_signature",
]

HASHES = ("md5", "sha1", "sha256", "sha384", "sha512")  # also as hmac-<hash>
CLOCK_FORMATS = ("ms", "s", "us", "iso8601")
# What a payload may use; headers and parameters use the credentials, clock values and digests.
REQUEST_PLACEHOLDERS = (
    "method", "path", "url_path", "query", "?query", "body", "canonical",
)  # fmt: skip
VALUE_PLACEHOLDERS = ("api_key", "passphrase", "timestamp", "nonce")
_PLACEHOLDER = re.compile(r"\{(\??[A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(template: str) -> list[str]:
    """The placeholder names of a template, in order (`{?query}` gives `?query`)."""
    return _PLACEHOLDER.findall(template)


@dataclass(frozen=True, slots=True)
class Digest:
    """A named intermediate hash, usable as `{name}` in the payload, headers and parameters."""

    name: str
    algorithm: str
    payload: str
    output: str = "hex-lower"  # also `raw`: the digest bytes themselves
    secret: str = "raw"


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature object of the spec."""

    algorithm: str
    output: str = "hex-lower"
    payload: str = "{canonical}"
    sort: str = "name"
    values: str = "raw"
    pair: str = "="
    join: str = "&"
    exclude: tuple[str, ...] = ()
    key_parameter: str = ""  # shorthand for parameters {name: "{api_key}"}, sent first
    parameter: str = ""  # shorthand for parameters {name: "{signature}"}, sent last
    secret: str = "raw"  # raw | base64: how secret_key becomes the HMAC key
    timestamp: str = "ms"
    nonce: str = "ms"
    digests: tuple[Digest, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()  # name -> template, in the order sent
    headers: tuple[tuple[str, str], ...] = ()  # name -> template
    # derived from the fields above once (__post_init__): read on every signed request
    _sent: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _late: frozenset[str] = field(init=False, repr=False, compare=False)
    _excluded: frozenset[str] = field(init=False, repr=False, compare=False)
    _uses: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = ((self.key_parameter, "{api_key}"),) if self.key_parameter else ()
        last = ((self.parameter, "{signature}"),) if self.parameter else ()
        sent = key + self.parameters + last
        late = frozenset(n for n, t in sent if "signature" in placeholders(t))
        texts = [self.payload, *(d.payload for d in self.digests)]
        texts += [t for _, t in (*sent, *self.headers)]
        object.__setattr__(self, "_sent", sent)
        object.__setattr__(self, "_late", late)
        object.__setattr__(self, "_excluded", late | frozenset(self.exclude))
        object.__setattr__(self, "_uses", frozenset(p for t in texts for p in placeholders(t)))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Signature:
        """From a signature object as the spec writes it (KeyError, TypeError, ValueError if
        it is malformed)."""
        default = cls("")
        canon = raw.get("canonical") or {}
        if not isinstance(canon, Mapping):
            raise TypeError("canonical must be an object")

        def pairs(key: str) -> tuple[tuple[str, str], ...]:
            value = raw.get(key) or {}
            if not isinstance(value, Mapping):
                raise TypeError(f"{key} must map names to templates")
            return tuple((str(k), str(v)) for k, v in value.items())

        digests = raw.get("digests") or {}
        if not isinstance(digests, Mapping):
            raise TypeError("digests must map names to digest objects")
        return cls(
            algorithm=str(raw["algorithm"]),
            output=str(raw.get("output", default.output)),
            payload=str(raw.get("payload", default.payload)),
            sort=str(canon.get("sort", default.sort)),
            values=str(canon.get("values", default.values)),
            pair=str(canon.get("pair", default.pair)),
            join=str(canon.get("join", default.join)),
            exclude=tuple(str(x) for x in canon.get("exclude", ()) or ()),
            key_parameter=str(raw.get("key-parameter", "")),
            parameter=str(raw.get("parameter", "")),
            secret=str(raw.get("secret", default.secret)),
            timestamp=str(raw.get("timestamp", default.timestamp)),
            nonce=str(raw.get("nonce", default.nonce)),
            digests=tuple(
                Digest(
                    name=str(name),
                    algorithm=str(d["algorithm"]),
                    payload=str(d["payload"]),
                    output=str(d.get("output", "hex-lower")),
                    secret=str(d.get("secret", "raw")),
                )
                for name, d in digests.items()
            ),
            parameters=pairs("parameters"),
            headers=pairs("headers"),
        )

    def to_mapping(self) -> dict[str, Any]:
        """The object in the spec's shape, every setting explicit (what `_constants.py` holds)."""
        out: dict[str, Any] = {
            "algorithm": self.algorithm,
            "output": self.output,
            "payload": self.payload,
            "secret": self.secret,
            "canonical": {
                "sort": self.sort,
                "values": self.values,
                "pair": self.pair,
                "join": self.join,
                "exclude": list(self.exclude),
            },
        }
        for clock in ("timestamp", "nonce"):
            if clock in self.uses:
                out[clock] = getattr(self, clock)
        if self.digests:
            out["digests"] = {
                d.name: {
                    "algorithm": d.algorithm,
                    "payload": d.payload,
                    "output": d.output,
                    "secret": d.secret,
                }
                for d in self.digests
            }
        if self.key_parameter:
            out["key-parameter"] = self.key_parameter
        if self.parameter:
            out["parameter"] = self.parameter
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        if self.headers:
            out["headers"] = dict(self.headers)
        return out

    @property
    def sent_parameters(self) -> tuple[tuple[str, str], ...]:
        """Every parameter the signature adds, in the order sent (shorthands included)."""
        return self._sent

    @property
    def signature_parameters(self) -> frozenset[str]:
        """Parameters that carry the signature: added after signing, never signed."""
        return self._late

    @property
    def hidden_parameters(self) -> frozenset[str]:
        """Parameters and headers the SDK fills itself (not method arguments)."""
        return frozenset(n for n, _ in self.sent_parameters) | {n for n, _ in self.headers}

    @property
    def secret_parameters(self) -> tuple[str, ...]:
        """Parameters that carry a credential or a signature (masked in logs)."""
        clock = {"timestamp", "nonce"}
        return tuple(n for n, t in self.sent_parameters if set(placeholders(t)) - clock)

    @property
    def uses(self) -> frozenset[str]:
        """Every placeholder used by the payload, the digests, the headers and parameters."""
        return self._uses

    @property
    def needs_passphrase(self) -> bool:
        return "passphrase" in self.uses


@dataclass(frozen=True, slots=True)
class Credentials:
    """The keys a signature is made with (the secrets are kept out of repr)."""

    api_key: str
    secret_key: str = field(repr=False)
    passphrase: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Message:
    """What a signature covers: one request as sent, before the signature is added."""

    method: str = ""
    path: str = ""  # after the server URL, path parameters filled
    url_path: str = ""  # the whole path of the URL
    query: str = ""  # the query string as sent, without `?`
    body: str | bytes = ""  # the body as sent
    params: tuple[tuple[str, str], ...] = ()  # the signed location's parameters, decoded
    timestamp: str = ""
    nonce: str = ""


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what urlencode leaves as it is
_quote_plus = functools.lru_cache(maxsize=1024)(quote_plus)  # the same values on every call


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """Query strings and form bodies as the SDK sends them (space as `+`, like httpx): what
    `urllib.parse.urlencode` gives, without quoting what needs none."""
    items = list(pairs)
    out = []
    for k, v in items:
        if k.__class__ is not str or v.__class__ is not str:
            return urlencode(items)
        out.append(f"{k if _PLAIN(k) else _quote_plus(k)}={v if _PLAIN(v) else _quote_plus(v)}")
    return "&".join(out)


def canonical(sig: Signature, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """The parameters as `canonical` says (signature parameters and `exclude` left out)."""
    excluded = sig._excluded
    pairs = params.items() if isinstance(params, Mapping) else params
    items = [(k, v) for k, v in pairs if k not in excluded]
    if sig.sort == "name":
        items.sort()
    if sig.values == "urlencoded":
        items = [(quote(k, safe=""), quote(v, safe="")) for k, v in items]
    return sig.join.join(f"{k}{sig.pair}{v}" for k, v in items)


def _key(secret: str, secret_key: str) -> bytes:
    if secret != "base64":
        return secret_key.encode()
    try:
        return base64.b64decode(secret_key, validate=True)
    except ValueError:
        raise ValueError("secret_key is not base64, as the signature says it is") from None


@functools.lru_cache(maxsize=32)
def _hash_function(algorithm: str) -> Any:
    """hashlib's named constructor (`hashlib.md5`), several times faster than `hashlib.new`."""
    if algorithm in hashlib.algorithms_guaranteed:
        return getattr(hashlib, algorithm)
    return functools.partial(hashlib.new, algorithm)


def _hash(algorithm: str, secret: str, payload: bytes, secret_key: str) -> bytes:
    if algorithm.startswith("hmac-"):
        return hmac.digest(_key(secret, secret_key), payload, algorithm[5:])  # OpenSSL's one-shot
    return _hash_function(algorithm)(payload).digest()  # type: ignore[no-any-return]


def _write(raw: bytes, output: str) -> str | bytes:
    if output == "raw":
        return raw
    if output == "base64":
        return base64.b64encode(raw).decode()
    return raw.hex().upper() if output == "hex-upper" else raw.hex()


def digest(sig: Signature, payload: str | bytes, secret_key: str) -> str:
    """The payload hashed (hmac-* keyed with the secret) and written as `output` says."""
    data = payload.encode() if isinstance(payload, str) else payload
    return str(_write(_hash(sig.algorithm, sig.secret, data, secret_key), sig.output))


@functools.lru_cache(maxsize=256)
def _parts(template: str) -> tuple[tuple[bytes, str, str], ...]:
    """A template as (literal UTF-8 bytes before, placeholder name, its text) triples; the last
    triple's name is "" (the literal tail)."""
    out, last = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append((template[last : m.start()].encode(), m.group(1), m.group(0)))
        last = m.end()
    out.append((template[last:].encode(), "", ""))
    return tuple(out)


def _fill(template: str, values: Mapping[str, str | bytes]) -> bytes:
    """The template's UTF-8 bytes with placeholders replaced once (raw digests as bytes)."""
    out = bytearray()
    for literal, name, text in _parts(template):
        out += literal
        if name:
            value = values.get(name, text)
            out += value.encode() if isinstance(value, str) else value
    return bytes(out)


def _text(template: str, values: Mapping[str, str | bytes]) -> str:
    parts = _parts(template)
    if len(parts) == 2 and not parts[0][0] and not parts[1][0]:  # "{name}" alone
        value = values.get(parts[0][1], parts[0][2])
        if isinstance(value, str):
            return value
    return _fill(template, values).decode("utf-8", "replace")


def _values(sig: Signature, msg: Message, creds: Credentials) -> dict[str, str | bytes]:
    """Every placeholder's value for one message: the request's, then the digests'."""
    uses = sig.uses
    values: dict[str, str | bytes] = {
        "method": msg.method.upper(),
        "path": msg.path,
        "url_path": msg.url_path,
        "query": msg.query,
        "?query": "?" + msg.query if msg.query else "",
        "body": msg.body,
        "canonical": canonical(sig, msg.params) if "canonical" in uses else "",
        "timestamp": msg.timestamp,
        "nonce": msg.nonce,
        "api_key": creds.api_key,
        "secret_key": creds.secret_key,
        "passphrase": creds.passphrase,
    }
    for d in sig.digests:
        raw = _hash(d.algorithm, d.secret, _fill(d.payload, values), creds.secret_key)
        values[d.name] = _write(raw, d.output)
    return values


def signature_of(sig: Signature, msg: Message, creds: Credentials) -> str:
    """The signature of one message."""
    values = _values(sig, msg, creds)
    values["signature"] = digest(sig, _fill(sig.payload, values), creds.secret_key)
    return str(values["signature"])


def sign(sig: Signature, params: Mapping[str, str], api_key: str, secret_key: str) -> str:
    """The signature of a request that is only its parameters (key included)."""
    return signature_of(
        sig, Message(params=tuple(params.items())), Credentials(api_key, secret_key)
    )


# -- the clock --------------------------------------------------------------------------------
def now_ns() -> int:
    """The time signatures are made at (nanoseconds since the epoch)."""
    return time.time_ns()


_nonce_lock = threading.Lock()
_last_nonce: dict[str, int] = {}
_UNITS = {"ms": 1_000_000, "s": 1_000_000_000, "us": 1_000, "iso8601": 1_000_000}


def clock_text(fmt: str, ns: int) -> str:
    """A time (nanoseconds since the epoch) as `ms`, `s`, `us` or `iso8601` (UTC, ms)."""
    if fmt == "iso8601":
        ms = ns // 1_000_000
        moment = datetime.datetime.fromtimestamp(ms // 1000, datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"
    return str(ns // _UNITS[fmt])


def _next_nonce(fmt: str, ns: int) -> str:
    """A nonce that grows strictly per format in this process, even within one clock tick."""
    unit = _UNITS[fmt]
    with _nonce_lock:
        tick = max(ns // unit, _last_nonce.get(fmt, 0) + 1)
        _last_nonce[fmt] = tick
    return clock_text(fmt, tick * unit)


# -- the SDK's side: sign a request ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Signed:
    """A request with what the signature added: parameters (in the signed location), headers."""

    query: list[tuple[str, str]]
    form: list[tuple[str, str]] | None
    headers: dict[str, str]


def _put(pairs: list[tuple[str, str]], name: str, value: str) -> None:
    for i, (k, _) in enumerate(pairs):
        if k == name:
            pairs[i] = (name, value)
            return
    pairs.append((name, value))


_QUERY = frozenset(("query", "?query"))


def sign_request(
    sig: Signature,
    creds: Credentials,
    *,
    method: str,
    path: str,
    url_path: str,
    query: Sequence[tuple[str, str]],
    form: Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
    at_ns: int | None = None,
) -> Signed:
    """Add the signature's parameters (to the form if there is one, else to the query) and
    headers to a request. The payload sees the query and body exactly as they will be sent."""
    ns = now_ns() if at_ns is None else at_ns
    uses = sig.uses
    timestamp = clock_text(sig.timestamp, ns) if "timestamp" in uses else ""
    nonce = _next_nonce(sig.nonce, ns) if "nonce" in uses else ""
    new_query, new_form = list(query), None if form is None else list(form)
    target = new_query if new_form is None else new_form
    early = {
        "api_key": creds.api_key,
        "passphrase": creds.passphrase,
        "timestamp": timestamp,
        "nonce": nonce,
    }
    late = sig.signature_parameters
    for name, template in sig.sent_parameters:
        if name not in late:
            _put(target, name, _text(template, early))
    msg = Message(
        method=method,
        path=path,
        url_path=url_path,
        query=encode_pairs(new_query) if uses & _QUERY else "",
        body=body if new_form is None else encode_pairs(new_form) if "body" in uses else "",
        params=tuple(target),
        timestamp=timestamp,
        nonce=nonce,
    )
    values = _values(sig, msg, creds)
    values["signature"] = digest(sig, _fill(sig.payload, values), creds.secret_key)
    for name, template in sig.sent_parameters:
        if name in late:
            _put(target, name, _text(template, values))
    headers = {name: _text(template, values) for name, template in sig.headers}
    return Signed(new_query, new_form, headers)


# -- the server's side: check a signed request ----------------------------------------------
def _read(template: str, value: str) -> dict[str, str] | None:
    """The placeholder values a sent value holds, read back through its template."""
    parts, last, seen = [], 0, set()
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : m.start()]))
        name = m.group(1)
        if not name.isidentifier():
            parts.append(".*?")
        else:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
            seen.add(name)
        last = m.end()
    parts.append(re.escape(template[last:]))
    found = re.fullmatch("".join(parts), value, re.DOTALL)
    return found.groupdict() if found else None


def _without(raw: str, names: frozenset[str]) -> str:
    """An encoded query or form string without the `names` fields, order kept."""
    kept = [p for p in raw.split("&") if p and unquote_plus(p.partition("=")[0]) not in names]
    return "&".join(kept)


def _pairs(raw: str) -> list[tuple[str, str]]:
    out = []
    for p in raw.split("&"):
        if p:
            k, _, v = p.partition("=")
            out.append((unquote_plus(k), unquote_plus(v)))
    return out


def check_request(
    sig: Signature,
    secret_key: str,
    *,
    method: str,
    path: str,
    url_path: str,
    query: str,
    body: bytes,
    form: bool,
    headers: Mapping[str, str],
    passphrase: str = "",
) -> tuple[str, str | None]:
    """(api key sent, None) for a request whose signature is right, (api key, why) otherwise.
    `query` and `body` are exactly as received; `headers` has lower-case names."""
    text = body.decode("utf-8", "replace")
    sent = _pairs(query) + (_pairs(text) if form else [])
    found: dict[str, str] = {}
    for name, template in sig.headers:
        value = headers.get(name.lower())
        if value is None:
            return "", f"missing header {name}"
        read = _read(template, value)
        if read is None:
            return "", f"malformed header {name}"
        found.update(read)
    for name, template in sig.sent_parameters:
        value = next((v for k, v in sent if k == name), None)
        read = None if value is None else _read(template, value)
        if read is None:
            return "", f"missing {name}" if value is None else f"malformed {name}"
        found.update(read)
    api_key = found.get("api_key", "")
    if "signature" not in found:
        return api_key, "missing signature"
    late = sig.signature_parameters
    kept_query = _without(query, late)
    kept_body: str | bytes = _without(text, late) if form else body
    msg = Message(
        method=method,
        path=path,
        url_path=url_path,
        query=kept_query,
        body=kept_body,
        params=tuple(_pairs(_without(text, late) if form else kept_query)),
        timestamp=found.get("timestamp", ""),
        nonce=found.get("nonce", ""),
    )
    creds = Credentials(api_key, secret_key, found.get("passphrase", passphrase))
    expected = signature_of(sig, msg, creds)
    if not hmac.compare_digest(found["signature"].encode(), expected.encode()):
        return api_key, "invalid signature"
    return api_key, None


# -- the SDK's signature objects ----------------------------------------------------------------
REST: Signature | None = Signature.from_mapping(C.REST_SIGNATURE) if C.REST_SIGNATURE else None
_WS_AUTH = Signature.from_mapping(C.WS_AUTH_SIGNATURE) if C.WS_AUTH_SIGNATURE else None


def ws_auth_signature(api_key: str, secret_key: str, passphrase: str = "") -> str:
    """The signature sent with the WebSocket connection's authentication request."""
    if _WS_AUTH is None:
        raise RuntimeError("the spec defines no WebSocket authentication signature")
    return signature_of(_WS_AUTH, Message(), Credentials(api_key, secret_key, passphrase))
