"""Every recorded WebSocket session (tests/recordings/ws/) against the AsyncAPI document: every
recorded frame is validated against the message schemas (the replay: sdk/test_ws_replay.py).
"""

from __future__ import annotations

import json

import pytest
from support import WS_RECORDINGS as RECORDINGS
from support import WS_SPEC
from support.ws_messages import Messages

from generator.mock import load_sessions

SESSIONS = load_sessions(RECORDINGS)


def test_recordings_exist() -> None:
    assert len(SESSIONS) >= 20, f"expected the recorded sessions in {RECORDINGS}"


def test_recordings_are_json_objects() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        data = json.loads(path.read_text())
        assert {"description", "source", "exchanges"} <= set(data), path.name


# ------------------------------------------------------------------ schema validation


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages(WS_SPEC)


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_recording_matches_the_spec(name: str, messages: Messages) -> None:
    for i, ex in enumerate(SESSIONS[name]["exchanges"]):
        method = ex["request"]["method"]
        call = messages.by_name.get((method, "call"))
        assert call is not None, f"{name}[{i}]: {method} is not a request message of the spec"
        messages.validate(ex["request"], call, f"{name}[{i}] request")
        meta = call["x-rpc-method"]
        reply = (
            messages.by_key.get(meta.get("reply", "")) or messages.by_name[(meta["name"], "reply")]
        )
        messages.validate(ex["reply"], reply, f"{name}[{i}] reply")
        for j, push in enumerate(ex["pushes"]):
            assert meta["kind"] == "subscribe", f"{name}[{i}]: pushes after a {meta['kind']}"
            assert push["method"] == meta["push"], (
                f"{name}[{i}] push {j}: {push['method']} after {method}"
            )
            messages.validate(
                push, messages.by_name[(push["method"], "push")], f"{name}[{i}] push {j}"
            )
