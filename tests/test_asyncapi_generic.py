"""AsyncAPI documents without our JSON-RPC extensions: the plain-message WebSocket client.

Every document of the AsyncAPI 2.6 corpus (`$SPEC_CORPUS`, default /work/shared/spec-corpus;
for the multi-file social-media set, each service's asyncapi.yaml) and every edge spec in
tests/fixtures/asyncapi/ generates a package that imports (in a subprocess), type-checks (one
`mypy --strict` run over all of them, with a cache kept between runs), lints (ruff) and
round-trips its message examples (the spec's, plus one made up from each payload schema) through
the generated models. The edge specs then run against a loopback server (tests/plain_ws_server.py):
what `send_*` puts on the wire, typed and discriminated receiving, reconnects, backpressure.
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import importlib
import json
import os
import random
import subprocess
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import msgspec
import pytest
import yaml
from conftest import ROOT
from plain_ws_server import PlainServer, Raw

from generator.load import Document, Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi, WsMessage
from generator.problems import Severity, SpecError
from generator.pipeline import generate

pytestmark = pytest.mark.timeout(120)

CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "asyncapi-2.6"
FIXTURES = ROOT / "tests" / "fixtures" / "asyncapi"
V2 = FIXTURES / "v2-publish-subscribe.yaml"
V3 = FIXTURES / "v3-send-receive.yaml"
AVRO = FIXTURES / "v3-unsupported-format.yaml"


def corpus_documents() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.fail(f"the AsyncAPI corpus is missing: {CORPUS} (set SPEC_CORPUS)", pytrace=False)
    singles = sorted(CORPUS.glob("*.yml")) + sorted(CORPUS.glob("*.yaml"))
    services = sorted(CORPUS.glob("*/*/asyncapi.yaml")) + sorted(CORPUS.glob("*/*/asyncapi.yml"))
    return singles + services


def slug(path: Path) -> str:
    rel = path.relative_to(CORPUS) if path.is_relative_to(CORPUS) else Path(path.name)
    parts = rel.with_suffix("").parts
    name = "_".join(p for p in parts if p != "asyncapi") or rel.stem
    return "p_" + "".join(c if c.isalnum() else "_" for c in name.lower())


DOCUMENTS = {slug(p): p for p in [*corpus_documents(), *sorted(FIXTURES.glob("*.yaml"))]}


@dataclass
class Generated:
    package: str
    spec: Path
    out: Path
    api: WsApi
    warnings: list[str]


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Every document generated once (in threads: most of the time is ruff, a subprocess)."""
    root = tmp_path_factory.mktemp("asyncapi-generic")

    def one(item: tuple[str, Path]) -> Generated:
        package, spec = item
        out = root / package
        warnings = generate(openapi=None, asyncapi=str(spec), out=out, package=package)
        doc = load_document(spec)
        api = build_ws_api(doc, Resolver(doc), package)
        return Generated(package, spec, out, api, [str(w) for w in warnings + api.warnings])

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        done = list(pool.map(one, DOCUMENTS.items()))
    for g in done:
        sys.path.insert(0, str(g.out))
    return {g.package: g for g in done}


def module(g: Generated, name: str) -> ModuleType:
    return importlib.import_module(f"{g.package}.{name}")


# ------------------------------------------------------------------ every document


def test_the_corpus_is_all_there() -> None:
    names = {p.name for p in corpus_documents()}
    assert len(names) >= 15 and "slack-rtm.yml" in names and "streetlights-kafka.yml" in names
    assert sum(p.parent.parent.name == "social-media" for p in corpus_documents()) == 5


@pytest.mark.parametrize("package", sorted(DOCUMENTS))
def test_generates_and_imports(package: str, generated: dict[str, Generated]) -> None:
    g = generated[package]
    assert (g.out / package / "websocket.py").is_file()
    script = (
        f"import {package}, {package}.websocket as w\n"
        f"assert {package}.WebSocketClient is w.WebSocketClient\n"
        "print(len(w.__all__))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=g.out,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def test_generated_code_type_checks(
    generated: dict[str, Generated], request: pytest.FixtureRequest
) -> None:
    store = getattr(request.config, "cache", None)  # kept between runs: later runs are quick
    cache = store.mkdir("mypy-asyncapi-generic") if store is not None else None
    folders = [str(g.out / g.package) for g in generated.values()]
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    cmd += ["--cache-dir", str(cache)] if cache else ["--no-incremental"]
    run = subprocess.run([*cmd, *folders], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_generated_code_lints(generated: dict[str, Generated]) -> None:
    folders = [str(g.out) for g in generated.values()]
    for args in (["check"], ["format", "--check"]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache", *folders],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def fits(value: Any, kind: Any) -> bool:
    return bool(jsonschema.Draft7Validator({"type": kind}).is_valid(value))


def made_up(schema: Any, depth: int = 0) -> Any:
    """A JSON value valid against `schema` (constants, first enum value, first union branch,
    every property, one item, a value of the right format)."""
    if not isinstance(schema, dict) or depth > 8:
        return "text"
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        right = [v for v in schema["enum"] if fits(v, schema.get("type", []))]
        if right or "type" not in schema:
            return (right or schema["enum"])[0]
        # an enum no value of which has the type (YAML 1.1 read `on`/`off` as booleans): the type wins
    for key in ("oneOf", "anyOf"):
        branches = [
            b
            for b in schema.get(key) or []
            if not (isinstance(b, dict) and b.get("type") == "null")
        ]
        if branches:
            return made_up(branches[0], depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for branch in schema["allOf"]:
            value = made_up(branch, depth + 1)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        out = {
            name: made_up(sub, depth + 1) for name, sub in (schema.get("properties") or {}).items()
        }
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict):
            out["key"] = made_up(extra, depth + 1)
        return out
    if kind == "array" or "items" in schema:
        items = schema.get("items")
        if isinstance(items, list):
            return [made_up(i, depth + 1) for i in items]
        return [made_up(items, depth + 1)] if isinstance(items, dict) else []
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    formats = {
        "date-time": "2024-05-01T12:00:00Z",
        "date": "2024-05-01",
        "time": "12:00:00",
        "email": "ann@example.com",
        "uri": "https://example.com/a",
        "iri": "https://example.com/a",
        "uri-reference": "/a",
        "iri-reference": "/a",
        "uuid": "123e4567-e89b-12d3-a456-426614174000",
    }
    return formats.get(str(schema.get("format")), "text")


def loosened(schema: Any) -> Any:
    if isinstance(schema, list):
        return [loosened(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {("anyOf" if k == "oneOf" else k): loosened(v) for k, v in schema.items()}
    enum = out.get("enum")
    if isinstance(enum, list) and "type" in out and not any(fits(v, out["type"]) for v in enum):
        del out["enum"]
    return out


def examples_of(m: WsMessage) -> list[Any]:
    out = list(m.examples)
    made = made_up(m.schema)
    # The made-up value is a real example (oneOf read as anyOf: specs overlap their branches, and
    # an enum no value of which has the schema's type dropped, as above).
    jsonschema.Draft7Validator(loosened(m.schema)).validate(made)
    return [*out, made]


def decode_as(g: Generated, m: WsMessage, raw: bytes) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    """The payload decoded as message `m` (its first variant that fits) and that variant's constants."""
    namespace = {"models": module(g, "models"), "Any": Any, "Decimal": Decimal}
    errors = []
    for v in m.variants:
        decoder = msgspec.json.Decoder(
            eval(v.py_type.decode, namespace), strict=False
        )  # our own type text
        try:
            return decoder.decode(raw), v.consts
        except msgspec.ValidationError as exc:
            errors.append(str(exc))
    raise AssertionError(f"{m.name}: no variant decodes {raw!r}: {errors}")


def client_of(g: Generated, class_name: str) -> Any:
    cls = getattr(module(g, "websocket"), class_name)
    channel = next(c for c in g.api.channels if c.class_name == class_name)
    params = {p.py_name: "x" for p in channel.parameters if p.required}
    return cls(url="ws://127.0.0.1:9/", **params)


@pytest.mark.parametrize("package", sorted(DOCUMENTS))
def test_message_examples_round_trip(package: str, generated: dict[str, Generated]) -> None:
    """Each example decodes into the message's model and encodes back to the same JSON; a
    received one is also recognised (as this message, or one it cannot be told from)."""
    g = generated[package]
    ws = module(g, "websocket")
    checked = 0
    for channel in g.api.channels:
        client = client_of(g, channel.class_name)
        for direction, messages in (("send", channel.sends), ("receive", channel.receives)):
            for m in messages:
                if m.raw:
                    continue
                for example in examples_of(m):
                    raw = json.dumps(example).encode()
                    value, consts = decode_as(g, m, raw)
                    again = json.loads(ws._encode(value, consts))
                    assert again == example, f"{channel.name} {direction} {m.name}"
                    if direction == "receive":
                        name, typed = client._engine.classify(raw)
                        assert name is not None, typed
                        assert json.loads(ws._encode(typed)) == example, (m.name, name)
                        if g.spec.is_relative_to(FIXTURES):
                            assert name == m.name
                    checked += 1
    assert checked or not any(c.sends or c.receives for c in g.api.channels)


# ------------------------------------------------------------------ the model


def build(path: Path) -> WsApi:
    doc = load_document(path)
    return build_ws_api(doc, Resolver(doc), "pkg")


def test_asyncapi_2_publish_is_sent_subscribe_is_received() -> None:
    api = build(V2)
    assert api.framing is None and api.binary_frames == "gzip"
    (channel,) = api.channels
    assert channel.class_name == "WebSocketClient" and channel.address == "/stream"
    assert [m.name for m in channel.sends] == ["subscribe", "ping"]
    assert [m.name for m in channel.receives] == ["quote", "alert", "pong", "batch", "notice"]
    assert api.url == "ws://127.0.0.1:8765/v1/stream"  # server variables take their defaults


def test_asyncapi_3_send_is_sent_receive_is_received() -> None:
    api = build(V3)
    (channel,) = api.channels
    assert [m.name for m in channel.sends] == ["say", "join"]
    # the reply of a send operation is received
    assert [m.name for m in channel.receives] == ["welcome", "said", "joined", "error"]
    assert channel.server_url == "ws://127.0.0.1:9001/chat"  # host + pathname
    assert channel.address == "/rooms/{room}/{mode}"
    room, mode = channel.parameters
    assert (room.py_name, str(room.py_type), room.required) == ("room", "str", True)
    assert mode.py_type.is_literal and mode.py_type.literal == ("live", "replay")
    assert (str(mode.py_type), mode.required, mode.default) == (
        "Literal['live', 'replay']",
        False,
        "live",
    )


def test_constant_properties_discriminate() -> None:
    api = build(V2)
    alert = next(m for m in api.channels[0].receives if m.name == "alert")
    assert alert.payload.py_type == "models.PriceAlert | models.SessionAlert"
    assert [m.model for m in alert.payload.args] == ["PriceAlert", "SessionAlert"]
    assert [v.consts for v in alert.variants] == [
        (("event", "alert"), ("kind", "price")),
        (("event", "alert"), ("kind", "session")),
    ]
    shapes = {m.name: [v.shape for v in m.variants] for m in api.channels[0].receives}
    assert shapes == {
        "quote": ["object"],
        "alert": ["object", "object"],
        "pong": ["object"],
        "batch": ["array"],
        "notice": ["string"],
    }
    said = next(m for m in build(V3).channels[0].receives if m.name == "said")
    assert said.variants[0].consts == (("type", "said"),)  # from a multi-format schema object


def test_unsupported_schema_format_is_raw_with_a_located_warning() -> None:
    api = build(AVRO)
    reading, status = api.channels[0].receives
    assert reading.raw and reading.payload.py_type == "bytes" and not status.raw
    (warning,) = api.warnings
    assert warning.severity is Severity.WARNING and warning.line == 27
    assert warning.pointer == "/components/messages/Reading/payload/schemaFormat"
    assert "avro" in warning.message and "raw bytes" in warning.message


def test_several_channels_give_one_class_each() -> None:
    api = build(CORPUS / "social-media" / "backend" / "asyncapi.yaml")
    assert [(c.class_name, c.attr, c.server_url) for c in api.channels] == [
        ("CommentLikedChannel", "comment_liked", "mqtt://test.mosquitto.org"),
        ("LikeCommentChannel", "like_comment", "ws://mycompany.com/ws"),  # the channel's server
        (
            "CommentCommentIdChangedChannel",
            "comment_comment_id_changed",
            "mqtt://test.mosquitto.org",
        ),
        ("UpdateCommentLikesChannel", "update_comment_likes", "ws://mycompany.com/ws"),
    ]


def test_other_transports_still_generate_and_say_so(generated: dict[str, Generated]) -> None:
    for name, protocol in (
        ("p_streetlights_kafka", "kafka-secure"),
        ("p_streetlights_mqtt", "mqtt"),
    ):
        text = (generated[name].out / name / "websocket.py").read_text()
        assert f"Transport: the spec's server speaks `{protocol}`, this client WebSocket" in text


def test_malformed_plain_specs_give_located_errors_never_tracebacks(tmp_path: Path) -> None:
    rng = random.Random(20240602)
    values: list[Any] = [
        None,
        1,
        "x",
        [],
        {},
        True,
        {"$ref": "#/nope"},
        [1, "a"],
        {"type": "array", "items": [{}]},
        {"schemaFormat": "x", "schema": 3},
    ]
    for spec in (V2, V3, CORPUS / "slack-rtm.yml"):
        base = yaml.safe_load(spec.read_text())

        def paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            out = [path]
            items = (
                node.items()
                if isinstance(node, dict)
                else enumerate(node)
                if isinstance(node, list)
                else []
            )
            for key, value in items:
                out += paths(value, (*path, key))
            return out

        targets = [p for p in paths(base) if p]
        for _ in range(60):
            doc = copy.deepcopy(base)
            for _ in range(rng.randint(1, 3)):
                *parents, last = rng.choice(targets)
                node = doc
                try:
                    for key in parents:
                        node = node[key]
                    node[last] = rng.choice(values)
                except (KeyError, IndexError, TypeError):
                    pass
            document = Document(tmp_path / "spec.yaml", doc, {})
            try:
                build_ws_api(document, Resolver(document), "pkg")
            except SpecError as exc:
                assert all(p.file and p.message for p in exc.problems)


# ------------------------------------------------------------------ loopback


@pytest.fixture
async def server() -> AsyncIterator[PlainServer]:
    async with PlainServer() as srv:
        yield srv


def events_recorder() -> tuple[list[Any], Any]:
    seen: list[Any] = []
    return seen, seen.append


def rt(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "_ws_runtime")


def ws_module(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "websocket")


def models(generated: dict[str, Generated], path: Path) -> ModuleType:
    return module(generated[slug(path)], "ws_models")


def fast(generated: dict[str, Generated], path: Path) -> Any:
    return rt(generated, path).Backoff(initial=0.01, maximum=0.05, jitter=0.5, reset_after=1.0)


async def next_received(server: PlainServer) -> tuple[str, Any]:
    return await asyncio.wait_for(server.received.get(), 5)


async def test_send_puts_the_right_json_on_the_wire(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws, m = ws_module(generated, V2), models(generated, V2)
    async with ws.WebSocketClient(url=server.url + "/v1/stream") as client:
        await client.send_subscribe(m.Subscribe(symbols=["ABC", "XYZ"], depth_limit=5))
        await client.send_ping(m.Ping(nonce=3))
        await client.send('{"op":"raw"}')
        assert await next_received(server) == (
            "/v1/stream",
            {"op": "subscribe", "symbols": ["ABC", "XYZ"], "depth_limit": 5},
        )
        assert await next_received(server) == (
            "/v1/stream",
            {"op": "ping", "nonce": 3},
        )  # const filled in
        assert await next_received(server) == ("/v1/stream", {"op": "raw"})


async def test_received_messages_are_typed_and_discriminated(
    generated: dict[str, Generated],
) -> None:
    ws, m = ws_module(generated, V2), models(generated, V2)
    seen, record = events_recorder()
    # the spec's x-frames: gzip binary frames
    async with (
        PlainServer(compression="gzip") as server,
        ws.WebSocketClient(url=server.url, on_event=record) as client,
    ):
        everything = client.messages()
        alerts = client.receive_alert()
        await server.wait_connections(1)
        frames = [
            {"event": "quote", "symbol": "ABC", "price": 12.5, "size": 3},
            {"event": "alert", "kind": "session", "text": "closing"},
            {"kind": "price", "symbol": "XYZ", "event": "alert", "level": 2},
            {"event": "pong", "nonce": 7},
            [{"event": "quote", "symbol": "A", "price": 1}],
            "maintenance",
            {"event": "nope"},  # no message of the spec: yielded raw, not raised
            Raw("{not json"),
            {"event": "quote", "symbol": "ABC"},  # required price missing: unknown too
            {"event": "pong"},
        ]
        for frame in frames:
            await server.send(frame)
        got = [await asyncio.wait_for(anext(everything), 5) for _ in frames]
        kinds = [type(x).__name__ for x in got]
        assert kinds == [
            "Quote",
            "SessionAlert",
            "PriceAlert",
            "Pong",
            "list",
            "str",
            "UnknownMessage",
            "UnknownMessage",
            "UnknownMessage",
            "Pong",
        ]
        assert got[0] == m.Quote(symbol="ABC", price=12.5, size=3, event="quote")
        assert got[2].symbol == "XYZ" and got[2].level == 2
        assert got[4] == [m.Quote(symbol="A", price=1, event="quote")] and got[5] == "maintenance"
        assert json.loads(got[6].raw) == {"event": "nope"} and got[7].raw == b"{not json"
        assert "quote" in got[8].reason
        assert [type(a).__name__ for a in [await anext(alerts), await anext(alerts)]] == [
            "SessionAlert",
            "PriceAlert",
        ]
        assert alerts.pending == 0  # only alerts went there
    assert not [e for e in seen if type(e).__name__ == "FrameError"]


async def test_asyncapi_3_channel_url_send_and_receive(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws, m = ws_module(generated, V3), models(generated, V3)
    async with ws.WebSocketClient(room="lobby 1", server=server.url + "/chat") as client:
        stream = client.messages()
        await client.send_join(m.Join(user="ann"))
        path, frame = await next_received(server)
        assert path == "/chat/rooms/lobby%201/live" and frame == {"type": "join", "user": "ann"}
        for out in (
            {"type": "welcome", "members": ["ann"]},
            {"type": "said", "user": "bob", "text": "hi"},
            {"type": "error", "code": 4},
            {"type": "joined", "user": "cy"},
        ):
            await server.send(out)
        got = [await asyncio.wait_for(anext(stream), 5) for _ in range(4)]
        assert [type(x).__name__ for x in got] == ["Welcome", "Said", "Error", "Joined"]
        assert got[0].members == ["ann"] and got[2].code == 4


async def test_a_dropped_connection_reconnects_and_iteration_continues(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws, r = ws_module(generated, V2), rt(generated, V2)
    seen, record = events_recorder()
    async with ws.WebSocketClient(
        url=server.url, backoff=fast(generated, V2), on_event=record
    ) as client:
        quotes = client.receive_quote()
        await server.wait_connections(1)
        await server.send({"event": "quote", "symbol": "A", "price": 1})
        assert (await asyncio.wait_for(anext(quotes), 5)).symbol == "A"
        server.kill()
        await server.wait_connections(2)
        await server.send({"event": "quote", "symbol": "B", "price": 2})
        assert (await asyncio.wait_for(anext(quotes), 5)).symbol == "B"
        await client.send_ping(models(generated, V2).Ping())  # sending works again too
        assert (await next_received(server))[1] == {"op": "ping"}
    kinds = [type(e) for e in seen]
    assert r.Disconnected in kinds and r.Reconnecting in kinds and r.Gap in kinds
    assert [e.count for e in seen if isinstance(e, r.Connected)] == [1, 2]


async def test_a_slow_consumer_loses_the_oldest_past_the_bound(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws = ws_module(generated, V2)
    async with ws.WebSocketClient(url=server.url) as client:
        quotes = client.receive_quote(maxsize=5)
        marker = client.receive_pong()
        await server.wait_connections(1)
        for i in range(50):
            await server.send({"event": "quote", "symbol": "A", "price": i})
        await server.send({"event": "pong"})
        await asyncio.wait_for(anext(marker), 5)  # every quote before it was handled
        assert quotes.pending == 5 and quotes.dropped == 45
        assert [(await anext(quotes)).price for _ in range(5)] == [45, 46, 47, 48, 49]


async def test_a_blocking_queue_holds_the_reader_back_and_loses_nothing(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws = ws_module(generated, V2)
    async with ws.WebSocketClient(url=server.url) as client:
        quotes = client.receive_quote(maxsize=2, policy="block")
        await server.wait_connections(1)
        for i in range(20):
            await server.send({"event": "quote", "symbol": "A", "price": i})
        prices = []
        for _ in range(20):
            await asyncio.sleep(0.01)
            assert quotes.pending <= 2
            prices.append((await asyncio.wait_for(anext(quotes), 5)).price)
        assert prices == list(range(20)) and quotes.dropped == 0


async def test_raw_payloads_and_bad_frames_never_crash(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    ws = ws_module(generated, AVRO)
    async with ws.WebSocketClient(url=server.url) as client:
        everything = client.messages()
        readings = client.receive_reading()
        await server.wait_connections(1)
        await server.send(b"\x00\x01\x02avro")  # a binary payload: passed through as it came
        await server.send({"status": "ok"})
        assert await asyncio.wait_for(anext(readings), 5) == b"\x00\x01\x02avro"
        got = [await asyncio.wait_for(anext(everything), 5) for _ in range(2)]
        assert got[0] == b"\x00\x01\x02avro" and type(got[1]).__name__ == "Status"


async def test_undecompressable_frames_are_reported_and_skipped(
    generated: dict[str, Generated],
) -> None:
    ws, r = ws_module(generated, V2), rt(generated, V2)
    seen, record = events_recorder()
    async with (
        PlainServer(compression="gzip") as server,
        ws.WebSocketClient(url=server.url, on_event=record) as client,
    ):
        pongs = client.receive_pong()
        await server.wait_connections(1)
        await server.send(gzip.compress(b'{"event":"pong"}')[:-6])  # truncated
        await server.send({"event": "pong", "nonce": 1})
        assert (await asyncio.wait_for(anext(pongs), 5)).nonce == 1
    assert [type(e) for e in seen].count(r.FrameError) == 1


async def test_multi_channel_client_makes_one_client_per_channel(
    generated: dict[str, Generated],
) -> None:
    g = generated["p_social_media_backend"]
    ws = module(g, "websocket")
    async with PlainServer() as server, ws.WebSocketClient(server=server.url) as root:
        likes = root.like_comment()
        assert root.like_comment() is likes and likes.url == server.url + "/like/comment"
        changed = root.comment_comment_id_changed(comment_id="c/1")
        assert changed.url == server.url + "/comment/c%2F1/changed"
        await likes.send_like_comment(module(g, "ws_models").LikeCommentPayload(commentId="c1"))
        assert await next_received(server) == ("/like/comment", {"commentId": "c1"})
    assert not likes.connected


def test_no_server_needs_a_url(generated: dict[str, Generated]) -> None:
    ws = module(generated["p_simple"], "websocket")
    with pytest.raises(ValueError, match="no server"):
        ws.WebSocketClient()
    assert ws.WebSocketClient(url="ws://127.0.0.1:9/x").url == "ws://127.0.0.1:9/x"


async def test_a_null_payload_is_a_message_not_a_gap(
    generated: dict[str, Generated], server: PlainServer
) -> None:
    g = generated["p_v2_awkward_names"]
    ws = module(g, "websocket")
    async with ws.RoomsRoomIdEventsLiveChannel(server=server.url) as client:
        prints = client.receive_print()
        await server.wait_connections(1)
        assert server.paths == ["/rooms/3/events%20%22live%22"]  # the parameter's default
        await server.send(None)
        await server.send({"kind": "a\\b", "list": ["x", None]})
        assert await asyncio.wait_for(anext(prints), 5) is None
        everything = client.messages()
        await server.send({"kind": "error", "error-code": 5})
        got = await asyncio.wait_for(anext(everything), 5)
        assert type(got).__name__ == "ConnectionError" and msgspec.to_builtins(got) == {
            "kind": "error",
            "error-code": 5,
        }
