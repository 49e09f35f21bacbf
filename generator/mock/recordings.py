"""Recorded exchanges, as the REST and the WebSocket mocks replay them.

REST: one file per exchange, `<operationId>[__variant].json` with `operation`, `call`, `request`
and `response` (`body`, or `body_text` for a body that is not JSON). WebSocket: one file per
session, `{"description", "source", "exchanges": [{"request", "reply", "pushes"}]}`. Both are
read from a folder in file-name order, so `op.json` comes before `op__variant.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Exchange",
    "Recording",
    "json_bytes",
    "load_exchanges",
    "load_recordings",
    "load_sessions",
    "recording_files",
]


def json_bytes(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON, as the mocks send it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def recording_files(directory: str | Path) -> list[Path]:
    """The `*.json` files of a recordings folder, by file name."""
    return sorted(Path(directory).glob("*.json"))


# --------------------------------------------------------------------------------------------
# REST: one exchange per file


@dataclass(frozen=True)
class Recording:
    """One recorded exchange: the SDK call, the request on the wire and the response."""

    name: str  # file stem, e.g. "market_last__invalid_argument"
    operation: str
    call: Mapping[str, Any]
    method: str
    path: str  # as sent, base path included
    params: Mapping[str, str]
    status: int
    headers: Mapping[str, str]
    body: bytes  # exactly what the mock sends
    json_body: Any  # the decoded body; None when the body is not JSON (`body_text`)
    data: Mapping[str, Any]  # the whole file

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        path = Path(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        request, response = data["request"], data["response"]
        if "body" in response:
            json_body, body = response["body"], json_bytes(response["body"])
        else:
            json_body, body = None, str(response.get("body_text", "")).encode()
        return cls(
            name=path.stem,
            operation=str(data["operation"]),
            call=dict(data.get("call") or {}),
            method=str(request["method"]).upper(),
            path=str(request["path"]),
            params={str(k): str(v) for k, v in (request.get("params") or {}).items()},
            status=int(response.get("status", 200)),
            headers={str(k): str(v) for k, v in (response.get("headers") or {}).items()},
            body=body,
            json_body=json_body,
            data=data,
        )


def load_recordings(directory: str | Path) -> list[Recording]:
    """Every `*.json` recording in `directory`, by file name (`op.json` before `op__variant.json`)."""
    return [Recording.load(p) for p in recording_files(directory)]


# --------------------------------------------------------------------------------------------
# WebSocket: one session (a list of exchanges) per file


@dataclass(frozen=True)
class Exchange:
    """One recorded WebSocket request, its reply and the pushes that followed it."""

    request: dict[str, Any]
    reply: dict[str, Any]
    pushes: list[dict[str, Any]]


def load_sessions(directory: str | Path) -> dict[str, dict[str, Any]]:
    """Every recorded WebSocket session of `directory`, by file stem."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in recording_files(directory)}


def load_exchanges(sessions: str | Path | Mapping[str, Mapping[str, Any]]) -> list[Exchange]:
    """The exchanges of every session (a folder, or sessions already loaded), in order."""
    loaded = load_sessions(sessions) if isinstance(sessions, (str, Path)) else sessions
    return [
        Exchange(ex["request"], ex["reply"], list(ex.get("pushes") or []))
        for session in loaded.values()
        for ex in session.get("exchanges", [])
    ]
