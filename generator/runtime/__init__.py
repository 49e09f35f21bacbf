"""The SDK runtime: modules copied byte for byte into every generated package.

Each `_*.py` file here except `_constants.py` is a runtime module (`MODULES`); render.py copies the
ones a spec needs. They use relative imports only (`from ._constants import ...`,
`from ._errors import ...`), so the package name does not matter. Whatever varies per spec comes
from the rendered `_constants.py` (templates/package/_constants.py.j2) and from generated tables
(the error classes in `errors.py`, the operations in `_operations.py`).

Not copied: this file, and `_constants.py`, which stands in for the rendered one so that the
runtime type-checks and can be tested here; it lists every name the runtime reads, with a
harmless default.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent

# Runtime module -> what it holds. Copied as `<package>/<module>`.
MODULES = {
    "_errors.py": "the exception hierarchy and the error-code lookup (tables from errors.py)",
    "_extra.py": "the models' bases: unknown response fields kept as `model_extra`, open enums",
    "_wire.py": "JSON decoders and encoders keeping the wire names a msgspec Struct cannot carry",
    "_signing.py": "the signature core: payload templates, digests, sign/check a request (mocks too)",
    "_checks.py": "argument checks against the spec's schemas and wire encoding",
    "_transport.py": "HTTP: credentials, signing, rate limiter, retries, decoding",
    "_ws_runtime.py": "WebSocket connection: reconnect backoff, heartbeat, queues, events",
    "_ws_rpc.py": "JSON-RPC on a connection: request/reply futures, subscriptions",
    "_ws_plain.py": "plain messages on a connection: classify frames, message streams",
    "_orderbook.py": "the order book structure and the live book kept from a subscription",
}


def source(module: str) -> str:
    """The text of one runtime module, exactly as it is copied."""
    if module not in MODULES:
        raise KeyError(module)
    return (FOLDER / module).read_text(encoding="utf-8")
