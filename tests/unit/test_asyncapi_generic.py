"""AsyncAPI documents without our JSON-RPC extensions: the plain-message WebSocket client.

Every document of the AsyncAPI 2.6 corpus (`$SPEC_CORPUS`, default /work/shared/spec-corpus;
for the multi-file social-media set, each service's asyncapi.yaml) and every edge spec in
tests/fixtures/asyncapi/ generates a package that imports (in a subprocess), type-checks (`mypy
--strict`: the fixtures' here, the corpus' in integration/test_real_world.py), lints (ruff) and
round-trips its message examples (the spec's, plus one made up from each payload schema) through
the generated models. The edge specs then run against a loopback server (generator/mock/wsserver.py)
in sdk/test_asyncapi_loopback.py: what `send_*` puts on the wire, typed and discriminated
receiving, reconnects, backpressure. The `generated` fixture is in tests/conftest.py.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import settings
from support import load_yaml
from support.asyncapi import (
    AVRO,
    CORPUS,
    DOCUMENTS,
    FIXTURE_PACKAGES,
    FIXTURES,
    V2,
    V3,
    Generated,
    corpus_documents,
    module,
)

from generator.load import Document, Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi, WsMessage
from generator.problems import Severity, SpecError

pytestmark = pytest.mark.timeout(120)

# ------------------------------------------------------------------ every document


def test_the_corpus_is_all_there() -> None:
    names = {p.name for p in corpus_documents()}
    assert len(names) >= 15 and "slack-rtm.yml" in names and "streetlights-kafka.yml" in names
    assert sum(p.parent.parent.name == "social-media" for p in corpus_documents()) == 5


_IMPORT_EACH = """\
import importlib, json, sys, traceback
failed = {}
for package, out in json.loads(sys.argv[1]).items():
    sys.path.insert(0, out)
    try:
        top, w = importlib.import_module(package), importlib.import_module(package + ".websocket")
        assert top.WebSocketClient is w.WebSocketClient
        assert w.__all__
    except BaseException:
        failed[package] = traceback.format_exc()
    sys.path.remove(out)
print(json.dumps(failed))
"""


@pytest.fixture(scope="module")
def import_failures(generated: dict[str, Generated]) -> dict[str, str]:
    """Each package imported in one fresh interpreter (not this one): the traceback by package."""
    outs = {g.package: str(g.out) for g in generated.values()}
    run = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(outs)],
        cwd=os.path.commonpath(list(outs.values())),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    failures: dict[str, str] = json.loads(run.stdout)
    return failures


@pytest.mark.parametrize("package", sorted(DOCUMENTS))
def test_generates_and_imports(
    package: str, generated: dict[str, Generated], import_failures: dict[str, str]
) -> None:
    g = generated[package]
    assert (g.out / package / "websocket.py").is_file()
    assert package not in import_failures, import_failures[package]


@pytest.mark.parametrize("package", FIXTURE_PACKAGES)
def test_fixture_package_type_checks(package: str, fixtures_mypy: dict[str, list[str]]) -> None:
    """The fixtures' packages here (one `mypy --strict` run with the edge specs' packages, the
    `fixtures_mypy` fixture); every corpus document's in integration/test_real_world.py."""
    assert fixtures_mypy[package] == [], "\n".join(fixtures_mypy[package])


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
    """As many damaged copies of each as the hypothesis profile's examples (60 in `make test`,
    20 offline)."""
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
        base = load_yaml(spec)

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
        for _ in range(settings.default.max_examples):
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
