"""The mock exchange: REST and WebSocket servers driven by the specs and recorded exchanges.

    rest.py        RestMock (HTTP/1.1 on a background thread) and RestSpec (what it reads of the
                   OpenAPI document), with signature checks and injected faults
    ws.py          WsMock (JSON-RPC over WebSocket) and WsSpec, with the fault switches the tests
                   flip (silence, refusals, drops, delays, pushes)
    wsserver.py    WsServer: the loopback WebSocket transport under WsMock; on its own, a
                   scriptable server for plain (non-RPC) channels
    recordings.py  recorded exchanges, REST (one per file) and WebSocket (sessions)
    faults.py      the REST faults: Status, Delay, Garbage, Close
    cli.py         `python -m generator mock ...`: both mocks until Ctrl-C

Nothing here knows an exchange: everything comes from the specs' `x-` extensions.
"""

from __future__ import annotations

from generator.mock.cli import serve
from generator.mock.faults import Close, Delay, Fault, Garbage, Status
from generator.mock.recordings import (
    Exchange,
    Recording,
    load_exchanges,
    load_recordings,
    load_sessions,
)
from generator.mock.rest import (
    OperationSpec,
    ParamSpec,
    ReceivedRequest,
    RestMock,
    RestSpec,
    coerce_value,
    compute_signature,
)
from generator.mock.ws import WsMethod, WsMock, WsSpec
from generator.mock.wsserver import Conn, Raw, WsServer

__all__ = [
    "Close",
    "Conn",
    "Delay",
    "Exchange",
    "Fault",
    "Garbage",
    "OperationSpec",
    "ParamSpec",
    "Raw",
    "ReceivedRequest",
    "Recording",
    "RestMock",
    "RestSpec",
    "Status",
    "WsMethod",
    "WsMock",
    "WsServer",
    "WsSpec",
    "coerce_value",
    "compute_signature",
    "load_exchanges",
    "load_recordings",
    "load_sessions",
    "serve",
]
