"""Every recorded WebSocket session, replayed over a real socket through the generated client.

Each recording in tests/recordings/ws/ is served by `ReplayServer`; the generated
`hotbit.WebSocketClient` makes the same calls (requests by their method, subscriptions by
iterating them, unsubscriptions by leaving the iterator) and its typed results must carry
exactly what the recording says. Every recorded frame is also validated against the message
schemas of the AsyncAPI document.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from conftest import WS_SPEC
from ws_replay_server import DOC_KEYS, RECORDINGS, ReplayServer, SpecFacts, load_recordings

from generator.load import Document, Resolver, load_document
from generator.naming import snake

pytestmark = pytest.mark.timeout(60)

SESSIONS = load_recordings()


def test_recordings_exist() -> None:
    assert len(SESSIONS) >= 20, f"expected the recorded sessions in {RECORDINGS}"


# ------------------------------------------------------------------ schema validation


class Messages:
    """The spec's messages by wire method and kind, with fully dereferenced payload schemas."""

    def __init__(self, path: Path) -> None:
        self.doc: Document = load_document(path)
        self.resolver = Resolver(self.doc)
        self.by_name: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_key: dict[str, dict[str, Any]] = {}
        for key, msg in self.doc.data["components"]["messages"].items():
            meta = msg["x-rpc-method"]
            self.by_key[key] = msg
            kind = (
                "call" if meta["kind"] in ("request", "subscribe", "unsubscribe") else meta["kind"]
            )
            for name in [meta["name"], *meta.get("aliases", [])]:
                self.by_name[(name, kind)] = msg

    def inline(
        self, node: Any, pointer: str = "", depth: int = 0, doc: Document | None = None
    ) -> Any:
        assert depth < 40, f"$ref nesting too deep at {pointer}"
        loc = self.resolver.follow(node, doc or self.doc, pointer)  # maybe into a component file
        if isinstance(loc.value, dict):
            return {
                k: self.inline(v, f"{loc.pointer}/{k}", depth + 1, loc.doc)
                for k, v in loc.value.items()
            }
        if isinstance(loc.value, list):
            return [
                self.inline(v, f"{loc.pointer}/{i}", depth + 1, loc.doc)
                for i, v in enumerate(loc.value)
            ]
        return loc.value

    def validate(self, frame: dict[str, Any], msg: dict[str, Any], where: str) -> None:
        schema = self.inline(msg["payload"])
        errors = sorted(
            jsonschema.Draft7Validator(schema).iter_errors(frame), key=lambda e: list(e.path)
        )
        assert not errors, f"{where}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


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
    async with ReplayServer() as server:
        facts = server.facts
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


def _sent(server: ReplayServer, start: int) -> list[dict[str, Any]]:
    return [
        {"method": r["method"], "params": r["params"]} for r in server.requests[max(start, 0) :]
    ]


@pytest.mark.parametrize("name", sorted(SESSIONS))
async def test_replay_recording(name: str) -> None:
    await _replay(name)


def test_recordings_are_json_objects() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        data = json.loads(path.read_text())
        assert {"description", "source", "exchanges"} <= set(data), path.name
