"""Request signatures as the spec's signature objects describe them. Pure functions, no I/O.

One implementation serves the SDK and the generator's mock servers. A signature object
(`x-signature`, `x-rpc.auth.signature`) says how the canonical string is built from the request
parameters, which payload is hashed and how the digest is written; the SDK's own objects come
from `_constants.py`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from . import _constants as C

__all__ = [
    "KEY_PARAMETER",
    "SIGNATURE_PARAMETER",
    "Signature",
    "SignatureSpec",
    "canonical",
    "canonical_string",
    "digest",
    "sign",
    "sign_params",
    "ws_auth_signature",
]


class SignatureSpec(Protocol):
    """What signing reads from a signature object (`Signature`, or the generator's IR)."""

    @property
    def algorithm(self) -> str: ...  # md5 | sha1 | sha256 | sha512 | hmac-<any hashlib name>
    @property
    def output(self) -> str: ...  # hex-lower | hex-upper | base64
    @property
    def payload(self) -> str: ...  # template with {canonical} {api_key} {secret_key}
    @property
    def sort(self) -> str: ...  # name | none
    @property
    def values(self) -> str: ...  # raw | urlencoded
    @property
    def pair(self) -> str: ...
    @property
    def join(self) -> str: ...
    @property
    def exclude(self) -> tuple[str, ...]: ...
    @property
    def parameter(self) -> str: ...  # the signature parameter, never signed


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
    key_parameter: str = ""  # REST: the parameter that carries the api key
    parameter: str = ""  # REST: the parameter that carries the signature

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Signature:
        """From the plain mapping `_constants.py` holds (keys: the field names)."""
        default = cls("")
        return cls(
            algorithm=str(raw["algorithm"]),
            output=str(raw.get("output", default.output)),
            payload=str(raw.get("payload", default.payload)),
            sort=str(raw.get("sort", default.sort)),
            values=str(raw.get("values", default.values)),
            pair=str(raw.get("pair", default.pair)),
            join=str(raw.get("join", default.join)),
            exclude=tuple(str(x) for x in raw.get("exclude", ())),
            key_parameter=str(raw.get("key_parameter", "")),
            parameter=str(raw.get("parameter", "")),
        )


_PLACEHOLDER = re.compile(r"\{(canonical|api_key|secret_key)\}")


def canonical(sig: SignatureSpec, params: Mapping[str, str]) -> str:
    """The parameters as they are signed (the signature parameter and `exclude` left out)."""
    excluded = {sig.parameter, *sig.exclude}
    items = [(k, v) for k, v in params.items() if k not in excluded]
    if sig.sort == "name":
        items.sort()
    if sig.values == "urlencoded":
        items = [(quote(k, safe=""), quote(v, safe="")) for k, v in items]
    return sig.join.join(f"{k}{sig.pair}{v}" for k, v in items)


def digest(sig: SignatureSpec, payload: str, secret_key: str) -> str:
    """The payload hashed (hmac-* keyed with the secret) and written as `output` says."""
    if sig.algorithm.startswith("hmac-"):
        raw = hmac.new(secret_key.encode(), payload.encode(), sig.algorithm[5:]).digest()
    else:
        raw = hashlib.new(sig.algorithm, payload.encode()).digest()
    if sig.output == "base64":
        return base64.b64encode(raw).decode()
    if sig.output == "hex-upper":
        return raw.hex().upper()
    return raw.hex()


def sign(sig: SignatureSpec, params: Mapping[str, str], api_key: str, secret_key: str) -> str:
    """The signature of a request whose parameters (key included) are `params`."""
    values = {"canonical": canonical(sig, params), "api_key": api_key, "secret_key": secret_key}
    payload = _PLACEHOLDER.sub(lambda m: values[m.group(1)], sig.payload)
    return digest(sig, payload, secret_key)


# -- the SDK's signature objects ----------------------------------------------------------------
_REST = Signature.from_mapping(C.REST_SIGNATURE) if C.REST_SIGNATURE else None
_WS_AUTH = Signature.from_mapping(C.WS_AUTH_SIGNATURE) if C.WS_AUTH_SIGNATURE else None
KEY_PARAMETER = _REST.key_parameter if _REST else ""
SIGNATURE_PARAMETER = _REST.parameter if _REST else ""


def canonical_string(params: Mapping[str, str]) -> str:
    """The parameters of a signed REST request as they are signed."""
    if _REST is None:
        raise RuntimeError("the spec defines no REST signature")
    return canonical(_REST, params)


def sign_params(params: Mapping[str, str], api_key: str, secret_key: str) -> str:
    """The signature of a signed REST request whose parameters (key included) are `params`."""
    if _REST is None:
        raise RuntimeError("the spec defines no REST signature")
    return sign(_REST, params, api_key, secret_key)


def ws_auth_signature(api_key: str, secret_key: str) -> str:
    """The signature sent with the WebSocket connection's authentication request."""
    if _WS_AUTH is None:
        raise RuntimeError("the spec defines no WebSocket authentication signature")
    return sign(_WS_AUTH, {}, api_key, secret_key)
