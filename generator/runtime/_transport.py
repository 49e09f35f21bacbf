"""HTTP machinery shared by every operation: credentials, signing, rate limit, retries, decoding.

Retries follow the spec: only operations marked retry-safe are retried, on connection errors,
timeouts, 429 and 5xx, with exponential backoff and jitter, honouring `Retry-After`.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import functools
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from . import _constants as C
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DecodeError,
    InternalServerError,
    MissingCredentials,
    ParameterError,
    RateLimitError,
    RawResponse,
    SDKError,
    error_for,
)
from ._extra import decode_keeping
from ._signing import REST as SIGNATURE
from ._signing import Credentials, encode_pairs, sign_request
from ._wire import JsonDecoder, json_decoder, json_encode

T = TypeVar("T")
log = logging.getLogger(__name__.rpartition(".")[0])  # the package's logger


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """What the spec says about one operation."""

    name: str  # the exchange's method name
    operation_id: str
    http_method: str
    path: str
    signed: bool = False
    auth: tuple[tuple[str, ...], ...] = ()  # security requirements: any one, all its schemes
    permission: str = "none"
    retry_safe: bool = False
    body: str | None = None  # form | json | multipart | body
    enveloped: bool = False
    auth_optional: bool = False  # callable without credentials too
    body_required: bool = False  # send the (possibly empty) body even without body arguments
    media_type: str | None = None  # of a `body` body
    py_name: str = ""  # the client method's name


@dataclass(slots=True)
class Request:
    """An operation's parameters, checked and encoded, before credentials are added."""

    op: OperationInfo
    query: list[tuple[str, str]] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)
    path_params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class APIResponse(Generic[T]):
    """A decoded result together with the raw response it came from."""

    raw: RawResponse
    parsed: T

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self.raw.headers

    @property
    def content(self) -> bytes:
        return self.raw.content


# -- decoding ------------------------------------------------------------------------------
class ErrorBody(msgspec.Struct, frozen=True):
    code: int | str | None = msgspec.field(name=C.ENVELOPE_CODE, default=None)
    message: Any = msgspec.field(name=C.ENVELOPE_MESSAGE, default="")


class Envelope(msgspec.Struct, Generic[T], frozen=True):
    """The spec's `x-envelope` (`_constants.ENVELOPE_*`) around every result."""

    result: T | None = msgspec.field(name=C.ENVELOPE_RESULT, default=None)
    error: ErrorBody | None = msgspec.field(name=C.ENVELOPE_ERROR, default=None)
    id: Any = msgspec.field(name=C.ENVELOPE_ID or "", default=None)  # "": the spec has none


class _ErrorOnly(msgspec.Struct, frozen=True):
    error: ErrorBody | None = msgspec.field(name=C.ENVELOPE_ERROR, default=None)


_error_only = msgspec.json.Decoder(_ErrorOnly, strict=False)


def _raise_api_error(op: OperationInfo, error: ErrorBody, raw: RawResponse) -> None:
    message = (
        error.message
        if isinstance(error.message, str)
        else msgspec.json.encode(error.message).decode()
    )
    raise error_for(op.name, error.code, message, raw.content, raw)


def _error_in(raw: RawResponse) -> ErrorBody | None:
    try:
        return _error_only.decode(raw.content).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def unwrap(
    op: OperationInfo, decoder: JsonDecoder[Envelope[T]], raw: RawResponse, nullable: bool
) -> T:
    """The envelope's result, or the mapped exception for its error."""
    try:
        envelope = decode_keeping(decoder, raw.content)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        error = _error_in(raw)
        if error is not None:
            _raise_api_error(op, error, raw)
        raise DecodeError(op.name, str(exc), raw.content, raw) from None
    if envelope.error is not None:
        _raise_api_error(op, envelope.error, raw)
    if envelope.result is None and not nullable:
        raise DecodeError(op.name, "neither a result nor an error", raw.content, raw)
    return envelope.result  # type: ignore[return-value]


class LazyDecoder(Generic[T]):
    """A decoder built on first use: building one per operation at import is slow for big APIs."""

    __slots__ = ("_decoder", "_type")

    def __init__(self, type_: Any) -> None:
        self._type = type_
        self._decoder: JsonDecoder[T] | None = None

    def get(self) -> JsonDecoder[T]:
        if self._decoder is None:
            self._decoder = json_decoder(self._type)
        return self._decoder


def decode(op: OperationInfo, decoder: JsonDecoder[T], raw: RawResponse) -> T:
    """A body without envelope."""
    try:
        return decode_keeping(decoder, raw.content)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        error = _error_in(raw) if C.ENVELOPE else None
        if error is not None:
            _raise_api_error(op, error, raw)
        raise DecodeError(op.name, str(exc), raw.content, raw) from None


# -- rate limit and retries ----------------------------------------------------------------
class RateLimiter:
    """Token bucket of `requests` per `period` seconds; `reserve()` says how long to wait."""

    def __init__(self, requests: int | None, period: float) -> None:
        self._capacity = float(requests) if requests else 0.0
        self._rate = self._capacity / period if requests else 0.0
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        if not self._capacity:
            return 0.0
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self._rate


def _should_retry(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    """The server's Retry-After in seconds (not capped), or None."""
    value = (headers or {}).get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:  # an HTTP date
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):  # neither: not waited for
            return None
    return max(seconds, 0.0)


def _calculate_retry_timeout(attempt: int, headers: Mapping[str, str] | None = None) -> float:
    after = _retry_after(headers)
    if after is not None:  # at most MAX_RETRY_AFTER: a longer one is not retried (_outcome)
        return after
    delay = min(C.INITIAL_RETRY_DELAY * 2.0**attempt, C.MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


# -- secrets stay out of logs --------------------------------------------------------------
_SECRET_PARAMS = C.SECRET_PARAMETERS
_REDACT = (
    re.compile(r"([?&](?:" + "|".join(map(re.escape, _SECRET_PARAMS)) + r")=)[^&\s\"']*")
    if _SECRET_PARAMS
    else None
)


class RedactCredentials(logging.Filter):
    """Masks credential query parameters in httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _REDACT is not None:
            message = record.getMessage()
            redacted = _REDACT.sub(r"\1***", message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


def _install_redaction() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, RedactCredentials) for f in httpx_log.filters):
        httpx_log.addFilter(RedactCredentials())


# -- the client core -----------------------------------------------------------------------
_PATH_VARIABLE = re.compile(r"\{([^{}/]+)\}")


@functools.lru_cache(maxsize=1024)
def _url_path(url: str) -> str:
    """The path of a URL as sent (percent-encoded), without the query; parsed once per URL."""
    return httpx.URL(url).raw_path.decode("ascii").partition("?")[0]


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Pairs as a body mapping (repeated names as lists)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


def _multipart(body: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Form fields as multipart parts: text as plain fields, bytes as files, lists repeated."""
    parts: list[tuple[str, Any]] = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (bytes, bytearray)):
                parts.append((name, (name, bytes(item), "application/octet-stream")))
            else:
                parts.append((name, (None, item if isinstance(item, str) else str(item))))
    return parts


def _to_raw(response: httpx.Response, op: OperationInfo, elapsed: float) -> RawResponse:
    return RawResponse(
        status_code=response.status_code,
        headers=dict(response.headers.items()),  # one pass (dict(headers) scans per key)
        content=response.content,
        method=op.http_method,
        path=op.path,
        elapsed=elapsed,
    )


def _check_status(op: OperationInfo, raw: RawResponse) -> None:
    """Raise for a status that is not a success; redirects are not followed, so 3xx too."""
    status = raw.status_code
    if status < 300:
        return
    error = _error_in(raw) if C.ENVELOPE and status >= 400 else None
    if error is not None:
        _raise_api_error(op, error, raw)
    message = f"{op.name}: HTTP {status} from {op.http_method} {op.path}"
    if status < 400:
        message += f" (redirect to {raw.headers.get('location', '?')}, not followed)"
    cls = RateLimitError if status == 429 else InternalServerError if status >= 500 else None
    after = _retry_after(raw.headers)
    if after is not None:
        message += f"; Retry-After {after:g} s"
    raise (cls or APIStatusError)(message, raw, method=op.name, retry_after=after)


class BaseClient:
    """Configuration and request preparation shared by the sync and async clients."""

    def __init__(
        self,
        credentials: Mapping[str, str | None],
        base_url: str,
        timeout: float,
        max_retries: int,
        rate_limit: bool,
        headers: Mapping[str, str] | None,
    ) -> None:
        if not base_url:
            raise ParameterError(
                type(self).__name__, "base_url", "is required: the API document declares no servers"
            )
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise ParameterError(type(self).__name__, "base_url", f"is not a URL: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ParameterError(
                type(self).__name__, "base_url", "needs http:// or https:// and a host"
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self._credentials = {k: v for k, v in credentials.items() if v}
        self._api_key = self._credentials.get("api_key")
        self._secret_key = self._credentials.get("secret_key")
        self._headers = {
            "user-agent": C.USER_AGENT,
            "accept": "application/json",
            **(headers or {}),
        }
        self._limiter = RateLimiter(
            C.RATE_LIMIT_REQUESTS if rate_limit else None, C.RATE_LIMIT_PERIOD
        )
        self._urls: dict[str, httpx.URL] = {}
        _install_redaction()

    _passphrase: str | None = None  # set by clients whose signature needs one

    def __repr__(self) -> str:
        keys = "set" if self._credentials else "none"
        return f"{type(self).__name__}(base_url={self.base_url!r}, credentials={keys})"

    def _prepare(self, req: Request, extra_headers: Mapping[str, str] | None) -> dict[str, Any]:
        op = req.op
        query, body = list(req.query), dict(req.body)
        headers = {**self._headers, **req.headers, **(extra_headers or {})}
        cookies = dict(req.cookies)
        if op.auth:
            chosen = next((r for r in op.auth if all(map(self._holds, r))), None)
            if chosen is not None:
                for scheme in chosen:
                    self._apply_auth(scheme, headers, query, cookies)
            elif not op.auth_optional:
                scheme = next(s for s in op.auth[0] if not self._holds(s))
                method = op.py_name or op.name
                raise MissingCredentials(method, scheme, C.AUTH_SCHEMES[scheme][3])
        path = (
            _PATH_VARIABLE.sub(lambda m: req.path_params.get(m.group(1), m.group(0)), op.path)
            if req.path_params
            else op.path
        )
        kwargs: dict[str, Any] = {
            "method": op.http_method,
            "url": self.base_url + path,
            "headers": headers,
        }
        if cookies:
            jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
            headers["cookie"] = f"{headers['cookie']}; {jar}" if headers.get("cookie") else jar
        if op.body == "form":
            if body or op.body_required:
                kwargs["data"] = body
        elif op.body == "multipart":
            if body or op.body_required:
                kwargs["files"] = _multipart(body)
        elif op.body == "json":
            if body or op.body_required:
                kwargs["content"] = json_encode(body)
                headers["content-type"] = "application/json"
        elif op.body == "body" and "body" in body:
            value = body["body"]
            if isinstance(value, (bytes, bytearray)):
                kwargs["content"] = bytes(value)
                headers.setdefault("content-type", op.media_type or "application/octet-stream")
            elif isinstance(value, str) and "json" not in (op.media_type or "json"):
                kwargs["content"] = value.encode()
                headers.setdefault("content-type", op.media_type or "text/plain")
            else:
                kwargs["content"] = json_encode(value)
                headers["content-type"] = op.media_type or "application/json"
        if op.signed:
            self._sign(op, path, query, body, kwargs)
        elif query:
            kwargs["url"] += "?" + encode_pairs(query)  # the bytes httpx's `params` would send
        kwargs["url"] = self._parsed_url(kwargs["url"], op.signed)
        return kwargs

    def _parsed_url(self, url: str, signed: bool) -> httpx.URL | str:
        """The URL parsed once per client and URL: httpx parses a string URL twice per request
        (and its `params` once more), a third of its request build. A signed URL with a query
        carries a timestamp or nonce, so it is never the same twice."""
        if signed and "?" in url:
            return url
        parsed = self._urls.get(url)
        if parsed is None:
            try:
                parsed = httpx.URL(url)
            except httpx.InvalidURL:
                return url  # httpx raises it again inside the request's error handling
            if len(self._urls) >= 256:
                self._urls.clear()
            self._urls[url] = parsed
        return parsed

    def _sign(
        self,
        op: OperationInfo,
        path: str,
        query: list[tuple[str, str]],
        body: dict[str, Any],
        kwargs: dict[str, Any],
    ) -> None:
        """Add the spec's signature to a prepared request; the signed query and form body are
        encoded here, so the bytes signed are the bytes sent."""
        needs_passphrase = SIGNATURE is not None and SIGNATURE.needs_passphrase
        method = op.py_name or op.name
        if SIGNATURE is None or not (self._api_key and self._secret_key):
            raise MissingCredentials(method)
        if needs_passphrase and not self._passphrase:
            raise MissingCredentials(method, parameters=("api_key", "secret_key", "passphrase"))
        in_body = op.body in ("form", "multipart")
        form = [
            (name, item)
            for name, value in body.items()
            for item in (value if isinstance(value, list) else [value])
            if isinstance(item, str)  # multipart files are not signed
        ]
        signed = sign_request(
            SIGNATURE,
            Credentials(self._api_key, self._secret_key, self._passphrase or ""),
            method=op.http_method,
            path=path,
            url_path=_url_path(kwargs["url"]),
            query=query,
            form=form if in_body else None,
            body=b"" if in_body else kwargs.get("content", b""),
        )
        kwargs["headers"].update(signed.headers)
        if signed.query:
            kwargs["url"] += "?" + encode_pairs(signed.query)
        if signed.form is not None and op.body == "multipart":
            added = [(k, v) for k, v in signed.form if k in SIGNATURE.hidden_parameters]
            kwargs["files"] = _multipart({**body, **_grouped(added)})
        elif signed.form is not None:
            kwargs.pop("data", None)
            kwargs["content"] = encode_pairs(signed.form).encode()
            kwargs["headers"]["content-type"] = "application/x-www-form-urlencoded"

    def _holds(self, scheme: str) -> bool:
        return all(p in self._credentials for p in C.AUTH_SCHEMES[scheme][3])

    def _apply_auth(
        self,
        scheme: str,
        headers: dict[str, str],
        query: list[tuple[str, str]],
        cookies: dict[str, str],
    ) -> None:
        kind, location, name, parameters = C.AUTH_SCHEMES[scheme]
        first, *rest = (self._credentials[p] for p in parameters)
        if kind == "apiKey" and location == "header":
            headers[name] = first
        elif kind == "apiKey" and location == "query":
            query.append((name, first))
        elif kind == "apiKey":
            cookies[name] = first
        elif kind == "bearer":
            headers["authorization"] = "Bearer " + first
        else:
            token = base64.b64encode(f"{first}:{rest[0]}".encode()).decode()
            headers["authorization"] = "Basic " + token

    def _attempts(self, op: OperationInfo) -> int:
        return self.max_retries + 1 if op.retry_safe else 1

    def _timeout(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout


@functools.lru_cache(maxsize=64)
def _timeout_extension(seconds: float) -> dict[str, float]:
    """httpx's per-request timeout as its request extension, built once per value (passing
    `timeout=` builds an `httpx.Timeout` on every request)."""
    return httpx.Timeout(seconds).as_dict()  # type: ignore[return-value]


# Everything httpx raises; the SDK raises its own errors instead.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict)


def _transport_error(op: OperationInfo, exc: Exception, timeout: float) -> SDKError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{op.name}: no response within {timeout}s ({type(exc).__name__})")
    if isinstance(exc, httpx.DecodingError):  # the body's Content-Encoding did not decode
        return DecodeError(op.name, f"{type(exc).__name__}: {exc}", None)
    return APIConnectionError(f"{op.name}: connection failed ({type(exc).__name__}: {exc})")


def _outcome(
    op: OperationInfo,
    attempt: int,
    attempts: int,
    wait: float,
    started: float,
    response: httpx.Response | None,
    exc: Exception | None,
) -> RawResponse | float:
    """The response to return, or how long to sleep before the next attempt."""
    last = attempt + 1 >= attempts
    if response is None:
        assert exc is not None
        if last or not isinstance(exc, httpx.TransportError):
            raise _transport_error(op, exc, wait) from exc
        delay = _calculate_retry_timeout(attempt)
    else:
        raw = _to_raw(response, op, time.monotonic() - started)
        log.debug("%s %s -> %d (%.3fs)", op.http_method, op.path, raw.status_code, raw.elapsed)
        after = _retry_after(raw.headers)
        too_long = after is not None and after > C.MAX_RETRY_AFTER
        if last or too_long or not _should_retry(raw.status_code):
            _check_status(op, raw)
            return raw
        delay = _calculate_retry_timeout(attempt, raw.headers)
    log.info("retrying %s in %.2fs (attempt %d of %d)", op.name, delay, attempt + 2, attempts)
    return delay


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, shared by the clients that make their own httpx
    client: building one loads the CA bundle (about 0.1 s)."""
    return httpx.create_ssl_context()


class SyncCore(BaseClient):
    def __init__(self, *args: Any, http_client: httpx.Client | None = None) -> None:
        super().__init__(*args)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(verify=tls_context())

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _send(
        self, req: Request, timeout: float | None, extra_headers: Mapping[str, str] | None
    ) -> RawResponse:
        wait, kwargs = self._timeout(timeout), self._prepare(req, extra_headers)
        attempts = self._attempts(req.op)
        for attempt in range(attempts):
            if attempt and req.op.signed:  # a fresh timestamp / nonce for every attempt
                kwargs = self._prepare(req, extra_headers)
            delay = self._limiter.reserve()
            if delay:  # sleep(0) would still yield the core
                time.sleep(delay)
            started, response, exc = time.monotonic(), None, None
            try:
                response = self._http.request(
                    **kwargs, extensions={"timeout": _timeout_extension(wait)}
                )
            except _HTTPX_ERRORS as error:
                exc = error
            outcome = _outcome(req.op, attempt, attempts, wait, started, response, exc)
            if isinstance(outcome, RawResponse):
                return outcome
            time.sleep(outcome)
        raise AssertionError("unreachable")


class AsyncCore(BaseClient):
    def __init__(self, *args: Any, http_client: httpx.AsyncClient | None = None) -> None:
        super().__init__(*args)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(verify=tls_context())

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _send(
        self, req: Request, timeout: float | None, extra_headers: Mapping[str, str] | None
    ) -> RawResponse:
        wait, kwargs = self._timeout(timeout), self._prepare(req, extra_headers)
        attempts = self._attempts(req.op)
        for attempt in range(attempts):
            if attempt and req.op.signed:  # a fresh timestamp / nonce for every attempt
                kwargs = self._prepare(req, extra_headers)
            delay = self._limiter.reserve()
            if delay:
                await asyncio.sleep(delay)
            started, response, exc = time.monotonic(), None, None
            try:
                response = await self._http.request(
                    **kwargs, extensions={"timeout": _timeout_extension(wait)}
                )
            except _HTTPX_ERRORS as error:
                exc = error
            outcome = _outcome(req.op, attempt, attempts, wait, started, response, exc)
            if isinstance(outcome, RawResponse):
                return outcome
            await asyncio.sleep(outcome)
        raise AssertionError("unreachable")
