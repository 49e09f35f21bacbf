"""The exception hierarchy every SDK shares; `errors.py` adds the spec's named errors.

The names are the ones Stainless SDKs use:

    <Sdk>Error                  (named after the SDK: `ERROR_BASE` in _constants.py)
    ├── ParameterError          invalid argument, caught before any network I/O
    ├── MissingCredentials      a signed/private call on a client without keys
    ├── DecodeError             the response could not be decoded (keeps the raw body)
    ├── APIConnectionError      no usable answer: the connection failed or broke
    │   ├── APITimeoutError ── RequestTimeout
    │   └── ConnectionLost      (WebSocket closed while a request was pending)
    └── APIError                the server answered with an error
        ├── APIStatusError      an HTTP status that is not a success (3xx, 4xx, 5xx)
        │   ├── RateLimitError  (429)
        │   └── InternalServerError (5xx)
        └── one subclass per error name in the spec (an error object in the body)

Older names stay as aliases: TransportError = APIConnectionError, HTTPStatusError =
APIStatusError, RateLimited = RateLimitError, ServerError = InternalServerError.
`error_for` maps (method, code) to the spec's class, from the tables errors.py registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from . import _constants as C

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ConnectionLost",
    "DecodeError",
    "HTTPStatusError",
    "InternalServerError",
    "MissingCredentials",
    "ParameterError",
    "RateLimitError",
    "RateLimited",
    "RawResponse",
    "RequestTimeout",
    "SDKError",
    "ServerError",
    "TransportError",
    "error_for",
    "register_codes",
]


@dataclass(frozen=True, repr=False)
class RawResponse:
    """What the server sent: status, headers and the body, exactly."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    method: str = ""
    path: str = ""  # without the query string, which can carry credentials
    elapsed: float = 0.0
    extensions: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return (
            f"RawResponse({self.status_code}, {self.method} {self.path}, {len(self.content)} bytes)"
        )


class SDKError(Exception):
    """Base class of every error this SDK raises."""


# The SDK's own name for its base class, where errors.py exports it (e.g. `AcmeError`).
SDKError.__name__ = SDKError.__qualname__ = C.ERROR_BASE
SDKError.__module__ = __name__.rpartition(".")[0] + ".errors"


class ParameterError(SDKError, ValueError):
    """An argument failed the spec's checks; nothing was sent."""

    def __init__(self, operation: str, parameter: str, problem: str) -> None:
        self.operation, self.parameter, self.problem = operation, parameter, problem
        super().__init__(f"{operation}: parameter {parameter!r} {problem}")


class MissingCredentials(SDKError):
    """The call needs credentials the client was not given: `operation` (the method), `scheme`
    (the security scheme, or `x-signature`) and the constructor `parameters` it reads."""

    def __init__(
        self,
        operation: str,
        scheme: str = "x-signature",
        parameters: tuple[str, ...] = ("api_key", "secret_key"),
    ) -> None:
        self.operation, self.scheme, self.parameters = operation, scheme, parameters
        given = " and ".join(f"{p}=..." for p in parameters)
        super().__init__(
            f"{operation} needs credentials for security scheme {scheme!r}:"
            f" create the client with {given}"
        )


class DecodeError(SDKError, ValueError):
    """The body is not what the spec describes. `raw` keeps the body as received."""

    def __init__(
        self, method: str, reason: str, raw: bytes | str | None, response: RawResponse | None = None
    ) -> None:
        self.method, self.reason, self.raw, self.response = method, reason, raw, response
        super().__init__(f"{method}: undecodable response: {reason}")


class APIConnectionError(SDKError):
    """The request did not get a usable answer: the connection failed or broke."""

    def __init__(self, message: str, response: RawResponse | None = None) -> None:
        self.response = response
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class RequestTimeout(APITimeoutError):
    """A WebSocket request got no reply within its timeout."""


class ConnectionLost(APIConnectionError):
    """The WebSocket connection closed while the request was pending."""


class APIError(SDKError):
    """The server answered with an error: an error object (the spec's named errors are
    subclasses) or an HTTP error status (APIStatusError)."""

    retryable = False

    def __init__(
        self,
        method: str,
        code: int | str | None,
        message: str,
        raw: bytes | str | None = None,
        response: RawResponse | None = None,
    ) -> None:
        self.method, self.code, self.message = method, code, message
        self.raw, self.response = raw, response
        super().__init__(f"{method}: error {code}: {message}")


class APIStatusError(APIError):
    """An HTTP status that is not a success. `retry_after`: the server's Retry-After, in
    seconds, when it sent one (a value beyond the client's cap is not waited for)."""

    response: RawResponse

    def __init__(
        self,
        message: str,
        response: RawResponse,
        *,
        method: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(method, None, message, response.content, response)
        self.args = (message,)
        self.status_code = response.status_code
        self.retry_after = retry_after


class RateLimitError(APIStatusError):
    """HTTP 429: the server's rate limit was hit."""

    retryable = True


class InternalServerError(APIStatusError):
    """HTTP 5xx."""

    retryable = True


# Older names, kept as aliases.
TransportError = APIConnectionError
HTTPStatusError = APIStatusError
RateLimited = RateLimitError
ServerError = InternalServerError


_COMMON: dict[int, type[APIError]] = {}
_BY_METHOD: dict[tuple[str, int], type[APIError]] = {}


def register_codes(
    common: Mapping[int, type[APIError]], by_method: Mapping[tuple[str, int], type[APIError]]
) -> None:
    """The spec's error codes (errors.py): `common` for every method, `by_method` for the codes
    a method defines beyond them."""
    _COMMON.update(common)
    _BY_METHOD.update(by_method)


def error_for(
    method: str,
    code: int | str | None,
    message: str,
    raw: bytes | str | None = None,
    response: RawResponse | None = None,
) -> APIError:
    """The exception the spec maps (method, code) to; APIError for an unmapped code."""
    try:
        number = int(code) if code is not None else None
    except (TypeError, ValueError):
        number = None
    cls = APIError
    if number is not None:
        cls = _BY_METHOD.get((method, number)) or _COMMON.get(number, APIError)
    return cls(method, code, message, raw, response)
