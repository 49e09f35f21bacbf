"""Every recorded WebSocket session, replayed over a real socket through the generated client.

Each recording in tests/recordings/ws/ is served by the WebSocket mock; the generated
`hotbit.WebSocketClient` makes the same calls (requests by their method, subscriptions by
iterating them, unsubscriptions by leaving the iterator) and its typed results must carry
exactly what the recording says. The recordings themselves are checked against the AsyncAPI
document in unit/test_ws_recordings.py.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from support import DOC_KEYS, WS_RECORDINGS, WS_SPEC, ws_mock_for
from support.ws_messages import Messages

from generator.mock import WsMock, WsSpec, load_sessions
from generator.naming import snake

pytestmark = pytest.mark.timeout(60)

RECORDINGS = WS_RECORDINGS
SESSIONS = load_sessions(RECORDINGS)


# ------------------------------------------------------------------ typed comparison


def same(recorded: Any, typed: Any, where: str = "") -> None:
    """The typed value holds exactly the recorded JSON (Decimal for decimal strings)."""
    value = msgspec.to_builtins(typed, builtin_types=(Decimal,))
    _same(recorded, value, where or "result")


def _same(recorded: Any, value: Any, where: str) -> None:
    if isinstance(value, Decimal):
        assert isinstance(recorded, (str, int, float)) and not isinstance(recorded, bool), where
        assert Decimal(str(recorded)) == value, f"{where}: {recorded!r} != {value!r}"
    elif isinstance(recorded, dict):
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        assert set(value) == set(recorded), (
            f"{where}: keys {sorted(value)} != recorded {sorted(recorded)}"
        )
        for key in recorded:
            _same(recorded[key], value[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(value, list), f"{where}: {value!r} is not a list"
        assert len(value) == len(recorded), (
            f"{where}: {len(value)} items != recorded {len(recorded)}"
        )
        for i, (a, b) in enumerate(zip(recorded, value, strict=True)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert recorded == value and type(recorded) is type(value), (
            f"{where}: {recorded!r} != {value!r}"
        )


# ------------------------------------------------------------------ replay


class SpecFacts:
    """What the replay below needs to know of the spec's methods, read from the mock's `WsSpec`."""

    def __init__(self, spec: WsSpec) -> None:
        methods = {m.name: m for m in spec.methods.values()}
        self.auth_method = spec.auth_method
        self.private = {name for name, m in methods.items() if m.private}
        subscribes = {name: m for name, m in methods.items() if m.kind == "subscribe"}
        self.push_of = {name: m.push for name, m in subscribes.items()}
        self.unsubscribe_of = {
            name: m.unsubscribe for name, m in subscribes.items() if m.unsubscribe
        }


def _client_keys(session: dict[str, Any], facts: SpecFacts) -> tuple[str | None, str | None]:
    """Keys whose signature is the recorded server.auth params (a wrong secret where it failed)."""
    for ex in session["exchanges"]:
        if ex["request"]["method"] == facts.auth_method:
            api_key = ex["request"]["params"][0]
            return api_key, DOC_KEYS[api_key] if ex["reply"]["error"] is None else "wrong-secret"
    return None, None


async def _replay(name: str) -> None:
    import hotbit
    from hotbit.errors import APIError, MissingCredentials, error_for

    session = SESSIONS[name]
    async with ws_mock_for() as server:
        facts = SpecFacts(server.spec)
        api_key, secret = _client_keys(session, facts)
        auth_fails = any(
            ex["request"]["method"] == facts.auth_method and ex["reply"]["error"]
            for ex in session["exchanges"]
        )
        client = hotbit.WebSocketClient(server.url, api_key=api_key, secret_key=secret)
        if auth_fails:
            ex = session["exchanges"][0]
            with pytest.raises(APIError) as info:
                await client.connect()
            assert type(info.value) is type(
                error_for(facts.auth_method, ex["reply"]["error"]["code"], "")
            )
            assert info.value.code == ex["reply"]["error"]["code"]
            assert server.requests[0]["params"][0] == ex["request"]["params"][0]
            return
        async with client as ws:
            open_subs: dict[str, Any] = {}
            for i, ex in enumerate(session["exchanges"]):
                where = f"{name}[{i}]"
                request, reply = ex["request"], ex["reply"]
                method, params = request["method"], request["params"]
                if method == facts.auth_method:
                    assert server.conns[0].authed and server.requests[0]["params"] == params, where
                    continue
                call = _method(method)
                kind = call[1]
                seen = len(server.requests)
                if kind == "unsubscribe":
                    for sub_method, sub in list(open_subs.items()):
                        if facts.unsubscribe_of.get(sub_method) == method:
                            await sub.aclose()
                            del open_subs[sub_method]
                    assert {"method": method, "params": params} in _sent(server, seen), where
                    continue
                if kind == "subscribe":
                    for other in [
                        m for m in open_subs if facts.push_of[m] == facts.push_of[call[0]]
                    ]:
                        await open_subs.pop(other).aclose()
                    sub = getattr(ws, snake(call[0]))(*params)
                    open_subs[call[0]] = sub
                    for j, push in enumerate(ex["pushes"]):
                        item = await asyncio.wait_for(anext(sub), 5)
                        same(push["params"], item, f"{where} push {j}")
                    assert {"method": call[0], "params": params} in _sent(server, seen), where
                    continue
                coro = getattr(ws, snake(call[0]))(*params)
                if call[0] in facts.private and api_key is None:
                    with pytest.raises(MissingCredentials):  # refused locally, nothing sent
                        await coro
                    assert len(server.requests) == seen, where
                    coro = ws.request(method, params)  # the raw call gets the server's answer
                if reply["error"] is not None:
                    with pytest.raises(APIError) as info:
                        await coro
                    expected = error_for(call[0], reply["error"]["code"], reply["error"]["message"])
                    assert type(info.value) is type(expected), where
                    assert (info.value.code, info.value.message) == (
                        reply["error"]["code"],
                        reply["error"]["message"],
                    )
                else:
                    same(reply["result"], await coro, where)
                assert {"method": call[0], "params": params} in _sent(server, seen), where
            for sub in open_subs.values():
                await sub.aclose()


_SPEC_METHODS: dict[str, tuple[str, str]] = {}


def _method(method: str) -> tuple[str, str]:
    """(canonical wire name, kind) of a recorded method, following aliases."""
    if not _SPEC_METHODS:
        for msg in Messages(WS_SPEC).by_key.values():
            meta = msg["x-rpc-method"]
            if meta["kind"] in ("request", "subscribe", "unsubscribe"):
                for alias in [meta["name"], *meta.get("aliases", [])]:
                    _SPEC_METHODS[alias] = (meta["name"], meta["kind"])
    assert method in _SPEC_METHODS, f"{method} is not a method of the spec"
    return _SPEC_METHODS[method]


def _sent(server: WsMock, start: int) -> list[dict[str, Any]]:
    return [
        {"method": r["method"], "params": r["params"]} for r in server.requests[max(start, 0) :]
    ]


@pytest.mark.parametrize("name", sorted(SESSIONS))
async def test_replay_recording(name: str) -> None:
    await _replay(name)
