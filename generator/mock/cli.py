"""`python -m generator mock ...` (and `python -m generator.mock ...`): serve the mocks until Ctrl-C.

The argument parser lives with the other commands in generator/cli.py; this module only runs the
mocks, so nothing in generator/mock/ imports the command line back.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from generator.mock.rest import RestMock
from generator.mock.ws import WsMock

__all__ = ["serve"]


def serve(
    openapi: str | Path,
    recordings: str | Path | None = None,
    secret_key: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_key: str | None = None,
    asyncapi: str | Path | None = None,
    ws_recordings: str | Path | None = None,
    ws_port: int = 0,
    overlays: Sequence[str] = (),
) -> int:
    """Serve until interrupted (Ctrl-C). Prints the base URLs first."""
    mock = RestMock(openapi, recordings, secret_key, host, port, api_key=api_key, overlays=overlays)
    with ExitStack() as stack:
        stack.enter_context(mock)
        print(f"REST mock of {mock.spec.title}: {mock.url}", flush=True)
        print(
            f"  {len(mock.spec.operations)} operation(s), {len(mock.recordings)} recording(s), "
            f"signature checking {'on' if secret_key else 'off'}",
            flush=True,
        )
        if asyncapi is not None:
            ws = WsMock(
                asyncapi,
                ws_recordings,
                api_key=api_key,
                secret_key=secret_key,
                host=host,
                port=ws_port,
            )
            stack.enter_context(ws)
            print(
                f"WebSocket mock: {ws.url} ({len(ws.exchanges)} recorded exchange(s))", flush=True
            )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0
