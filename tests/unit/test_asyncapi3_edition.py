"""The AsyncAPI 3.0 edition of the WebSocket spec (specs/hotbit-websocket.asyncapi3.yaml): up to
date with the 2.6 source, valid against the official AsyncAPI 3.0 schema, one operation per
method with its reply and pushes, and generating exactly the same SDK as the 2.6 spec."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from support import REST_SPEC, ROOT, SPECS_DIR, WS_SPEC, dump_yaml, load_yaml

from generator.load import Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.pipeline import generate
from generator.problems import Severity
from generator.validate import validate_document

pytestmark = pytest.mark.timeout(300)

EDITION = SPECS_DIR / "hotbit-websocket.asyncapi3.yaml"


def converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("asyncapi3", SPECS_DIR / "asyncapi3.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("asyncapi3", module)
    spec.loader.exec_module(module)
    return module


def test_the_edition_is_up_to_date() -> None:
    assert EDITION.read_text(encoding="utf-8") == converter().render(WS_SPEC), (
        "run: python specs/asyncapi3.py specs/hotbit-websocket.asyncapi.yaml "
        "specs/hotbit-websocket.asyncapi3.yaml"
    )


def test_it_is_valid_asyncapi_3(tmp_path: Path) -> None:
    doc = load_document(EDITION)
    assert doc.data["asyncapi"] == "3.0.0"
    problems = validate_document(doc, policy=False)
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    # The official 3.0 schema is what checks it: a 2.x-style operation is refused there.
    broken = load_yaml(EDITION)
    broken["operations"]["DepthQuery"]["action"] = "publish"
    (tmp_path / "components").symlink_to(SPECS_DIR / "components")
    bad = tmp_path / "bad.yaml"
    bad.write_text(dump_yaml(broken), encoding="utf-8")
    errors = [p for p in validate_document(load_document(bad), policy=False)]
    assert any(
        p.source == "asyncapi" and p.pointer.startswith("/operations/DepthQuery") for p in errors
    ), errors


def test_one_operation_per_method_with_its_reply_and_pushes() -> None:
    source = load_yaml(WS_SPEC)
    edition = load_yaml(EDITION)
    messages = source["components"]["messages"]
    operations = edition["operations"]
    calls = {k: m for k, m in messages.items() if m["x-rpc-method"]["kind"] != "reply"}
    calls = {k: m for k, m in calls.items() if m["x-rpc-method"]["kind"] != "push"}
    doc = load_document(WS_SPEC)
    assert len(calls) == len(build_ws_api(doc, Resolver(doc), "hotbit").methods) == 30
    for key, message in calls.items():
        op = operations[key]
        assert op["action"] == "send" and op["channel"] == {"$ref": "#/channels/rpc"}
        assert op["messages"] == [{"$ref": f"#/channels/rpc/messages/{key}"}]
        [reply] = op["reply"]["messages"]
        target = messages[reply["$ref"].rsplit("/", 1)[-1]]
        assert target["x-rpc-method"] == {"name": message["x-rpc-method"]["name"], "kind": "reply"}
        if message["x-rpc-method"]["kind"] == "subscribe":
            push = message["x-rpc-method"]["push"]
            [pushed] = [k for k, m in messages.items() if m["x-rpc-method"]["name"] == push]
            assert operations[pushed]["action"] == "receive"
    receives = [k for k, op in operations.items() if op["action"] == "receive"]
    assert sorted(receives) == sorted(
        k for k, m in messages.items() if m["x-rpc-method"]["kind"] == "push"
    )
    # Same messages and schemas as the source (3.0 only drops `messageId`).
    assert edition["channels"]["rpc"]["address"] == "/"
    assert set(edition["components"]["messages"]) == set(messages)
    assert edition["components"]["schemas"] == source["components"]["schemas"]


def test_it_generates_the_same_sdk(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(
        openapi=str(REST_SPEC), asyncapi=str(EDITION), out=out, package="hotbit", lenient=False
    )
    committed = ROOT / "generated"

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    old, new = digest(WS_SPEC), digest(EDITION)
    renames = [(EDITION.name, WS_SPEC.name), (new, old), (new[:12], old[:12])]
    files = sorted(
        p.relative_to(out) for p in out.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    assert len(files) > 20
    for rel in files:
        text = (out / rel).read_text(encoding="utf-8")
        for a, b in renames:
            text = text.replace(a, b)
        assert text == (committed / rel).read_text(encoding="utf-8"), f"{rel} differs"
    expected = sorted(
        p.relative_to(committed)
        for p in committed.rglob("*")
        if p.is_file()
        and not {"__pycache__", ".mypy_cache", ".ruff_cache"} & set(p.parts)
        and ".egg-info" not in str(p)
        and "build" not in p.parts
    )
    assert files == expected
