"""Faults a test injects into the REST mock (`RestMock.inject`): each request consumes one.

The WebSocket mock's faults are switches on the server instead (see `generator.mock.ws`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.mock.recordings import json_bytes

__all__ = ["Close", "Delay", "Fault", "Garbage", "Status", "fault_body"]


@dataclass(frozen=True)
class Status:
    """Answer with this HTTP status, body and headers instead of the normal answer.

    `body` may be bytes, text, or any JSON value (encoded compactly)."""

    status: int
    body: Any = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    """Hold the request for `seconds` (released early by `stop()`), then answer normally."""

    seconds: float


@dataclass(frozen=True)
class Garbage:
    """Answer with these bytes as the body (HTTP 200, JSON content type by default)."""

    data: bytes = b"\x00\xff not json {"
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Close:
    """Drop the connection without answering."""


Fault = Status | Delay | Garbage | Close


def fault_body(body: Any) -> bytes:
    """The bytes a `Status` fault answers with."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json_bytes(body)
