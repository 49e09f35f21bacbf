"""The WebSocket model builder reads the document model (`generator.document`), not raw dicts:
messages, extensions, traits and examples come from it, with their real file and line, and its
problems are collected in one `Diagnostics` (several at once, sorted)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import ROOT

from generator import document
from generator.document import model_of
from generator.load import Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi
from generator.problems import Severity, SpecError

FIXTURE = ROOT / "tests" / "fixtures" / "specs" / "asyncapi-26-good.yaml"


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing `text`."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return hits[nth - 1]


def build(path: Path) -> WsApi:
    doc = load_document(path)
    return build_ws_api(doc, Resolver(doc), "pkg")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


RPC_HEAD = """
    asyncapi: 2.6.0
    info: {title: t, version: "1"}
    servers: {main: {url: example.com/ws, protocol: wss}}
    x-rpc: {}
    channels:
      /:
        publish:
          message: {oneOf: [{$ref: "messages.yaml#/Ask"}]}
"""


def test_a_problem_in_a_referenced_message_file_points_at_its_real_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "messages.yaml",
        """
        Ask:
          payload: {type: object}
          x-rpc-method: {name: ask, kind: question}
        """,
    )
    spec = write(tmp_path, "spec.yaml", RPC_HEAD)
    with pytest.raises(SpecError) as info:
        build(spec)
    (problem,) = info.value.problems
    assert problem.file.endswith("messages.yaml")
    assert problem.pointer == "/Ask/x-rpc-method"
    assert problem.line == line_of(tmp_path / "messages.yaml", "x-rpc-method")


def test_every_problem_of_the_extensions_is_reported_at_once(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "spec.yaml",
        RPC_HEAD.replace(
            "x-rpc: {}",
            "x-rpc:\n      heartbeat: {interval: 5}\n      request-timeout: -1\n"
            "    x-error-codes: {nine: {name: Nine}}\n    x-frames: {binary: brotli}",
        ).replace('"messages.yaml#/Ask"', '"#/components/messages/Ask"')
        + textwrap.indent(
            textwrap.dedent(
                """
                components:
                  messages:
                    Ask:
                      payload: {type: object}
                      x-rpc-method: {name: ask, kind: request}
                """
            ),
            "    ",
        ),
    )
    with pytest.raises(SpecError) as info:
        build(spec)
    got = {p.pointer: p for p in info.value.problems}
    assert sorted(got) == [
        "/x-error-codes/nine",
        "/x-frames/binary",
        "/x-rpc/heartbeat",
        "/x-rpc/request-timeout",
    ]
    assert got["/x-rpc/request-timeout"].line == line_of(spec, "request-timeout")
    assert got["/x-frames/binary"].line == line_of(spec, "x-frames")
    assert all(p.severity is Severity.ERROR for p in got.values())


def test_the_builder_reads_the_shared_document_model(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = load_document(FIXTURE)
    model = model_of(doc)
    assert model is not None
    # Walked once: the builder must not walk the document again.
    monkeypatch.setattr(document, "build_asyncapi", lambda *a, **k: pytest.fail("walked again"))
    monkeypatch.setattr(document, "build_model", lambda *a, **k: pytest.fail("walked again"))
    api = build_ws_api(doc, Resolver(doc), "pkg")
    assert [m.name for m in api.methods] == ["server.time"]
    # What the model says is what the builder uses: a summary changed in the document model
    # (not in the raw document) shows in the method.
    [message] = [m for m in model.messages if m.key == "ServerTime"]
    model.messages[model.messages.index(message)] = type(message)(
        **{**vars(message), "summary": "From the document model."}
    )
    api = build_ws_api(doc, Resolver(doc), "pkg")
    assert api.methods[0].summary == "From the document model."


def test_a_trait_schema_format_is_a_warning_at_the_trait(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "spec.yaml",
        """
        asyncapi: 2.6.0
        info: {title: t, version: "1"}
        servers: {main: {url: example.com/ws, protocol: wss}}
        channels:
          feed:
            subscribe:
              message: {$ref: "#/components/messages/Tick"}
        components:
          messageTraits:
            avro:
              schemaFormat: application/vnd.apache.avro;version=1.9.0
              summary: An Avro tick.
          messages:
            Tick:
              payload: {type: record, name: Tick, fields: []}
              traits: [{$ref: "#/components/messageTraits/avro"}]
        """,
    )
    api = build(spec)
    [warning] = api.warnings
    assert warning.severity is Severity.WARNING
    assert warning.pointer == "/components/messageTraits/avro/schemaFormat"
    assert warning.line == line_of(spec, "schemaFormat:")
    [tick] = api.channels[0].receives
    assert tick.raw and tick.summary == "An Avro tick." and tick.name == "Tick"


def test_plain_messages_come_from_the_model_with_their_examples(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "spec.yaml",
        """
        asyncapi: 3.0.0
        info: {title: t, version: "1"}
        servers: {main: {host: example.com, pathname: /ws, protocol: wss}}
        channels:
          feed:
            address: /feed/{room}
            parameters:
              room: {enum: [a, b], default: a, description: The room.}
            messages:
              hello:
                payload: {type: object, properties: {n: {type: integer}}}
                examples: [{payload: {n: 1}}, {$ref: "#/components/examples/two"}]
        operations:
          listen:
            action: receive
            channel: {$ref: "#/channels/feed"}
        components:
          examples:
            two: {payload: {n: 2}}
        """,
    )
    api = build(spec)
    [channel] = api.channels
    assert channel.address == "/feed/{room}" and channel.server_url == "wss://example.com/ws"
    [room] = channel.parameters
    assert (room.py_name, room.required, room.default, room.description) == (
        "room",
        False,
        "a",
        "The room.",
    )
    [hello] = channel.receives
    # The message's key names it; examples come resolved from the model (the $ref one too).
    assert hello.name == "hello" and hello.examples == ({"n": 1}, {"n": 2})
    assert api.url == "wss://example.com/ws/feed/{room}"
