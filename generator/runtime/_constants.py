"""Stand-in for the rendered `_constants.py` (templates/package/_constants.py.j2). NOT copied.

It names every per-spec value the runtime modules read, with a neutral default, so that they
type-check and can be unit-tested here. The template must render each name a copied module
reads, with the same type (mypy --strict on the generated package checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ERROR_BASE = "ClientError"  # the SDK's base exception class name
# Model wire names msgspec cannot carry: stand-in -> wire name (_wire.py; empty for most specs).
WIRE_NAMES: Mapping[str, str] = {}

# Signature objects in the spec's shape (Signature.to_mapping(); None: the spec has none).
REST_SIGNATURE: Mapping[str, Any] | None = None
WS_AUTH_SIGNATURE: Mapping[str, Any] | None = None

# -- REST ---------------------------------------------------------------------------------------
DEFAULT_BASE_URL = "http://localhost"
DEFAULT_TIMEOUT = 10.0  # seconds, for connect, read, write and pool
DEFAULT_MAX_RETRIES = 2  # only for operations the spec marks retry-safe
INITIAL_RETRY_DELAY = 0.5  # seconds; doubles each attempt, with jitter
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a larger Retry-After is not waited for
USER_AGENT = "client-python/0"
RATE_LIMIT_REQUESTS: int | None = None
RATE_LIMIT_PERIOD = 1.0
ENVELOPE = False  # x-envelope: results come wrapped; the property names:
ENVELOPE_RESULT = "result"
ENVELOPE_ERROR = "error"
ENVELOPE_ID: str | None = None
ENVELOPE_CODE = "code"  # inside the error object
ENVELOPE_MESSAGE = "message"
# Security schemes: name -> (type: apiKey | bearer | basic, location, parameter name).
AUTH_SCHEMES: Mapping[str, tuple[str, str, str, tuple[str, ...]]] = {}
SECRET_PARAMETERS: tuple[str, ...] = ()  # query parameters masked in logs

# -- WebSocket ----------------------------------------------------------------------------------
DEFAULT_WS_URL = "ws://localhost"
DEFAULT_REQUEST_TIMEOUT = 10.0  # seconds per WebSocket request
DEFAULT_PING_INTERVAL = 15.0
DEFAULT_PING_TIMEOUT = 10.0
DEFAULT_QUEUE_SIZE = 1000  # per subscription
RECONNECT_INITIAL_DELAY = 0.5  # seconds; doubles each attempt, with jitter
RECONNECT_MAX_DELAY = 30.0
RECONNECT_RESET_AFTER = 60.0  # seconds of healthy connection that reset the backoff
BINARY_FRAMES = "auto"  # x-frames: gzip | zlib | deflate | auto | none
# x-rpc: frame property names.
RPC_REQUEST_METHOD = "method"
RPC_REQUEST_PARAMS = "params"
RPC_REQUEST_ID = "id"
RPC_REPLY_RESULT = "result"
RPC_REPLY_ERROR = "error"
RPC_REPLY_ID = "id"
RPC_PUSH_METHOD = "method"
RPC_PUSH_PARAMS = "params"
RPC_ERROR_CODE = "code"
RPC_ERROR_MESSAGE = "message"
