"""Acceptance tests of the two real specs: valid, complete (Node tools: integration/test_specs_tools.py)."""

from __future__ import annotations

import pytest
from support import REST_SPEC, WS_SPEC

from generator.load import Document, load_document
from generator.validate import asyncapi_messages, check_examples, openapi_operations, validate_files

SPECS = {"rest": REST_SPEC, "websocket": WS_SPEC}

REST_METHODS = [
    "server.time", "balance.query", "asset.list", "order.put_limit", "order.cancel", "order.deals",
    "order.finished_detail", "order.book", "order.depth", "order.pending", "order.finished",
    "market.list", "market.last", "market.deals", "market.user_deals", "market.kline",
    "market.status", "market.status_today", "market.status24h", "market.summary", "allticker",
]  # fmt: skip
WS_TOPICS = ["kline", "price", "state", "today", "deals", "depth", "order", "asset"]
WS_METHODS = [
    "server.ping", "server.time", "server.auth",
    "kline.query", "price.query", "state.query", "today.query", "deals.query", "depth.query",
    "order.query", "order.history", "asset.query", "balance.history",
    *(f"{topic}.{verb}" for topic in WS_TOPICS for verb in ("subscribe", "unsubscribe", "update")),
    "depths.subscribe",
]  # fmt: skip


def test_method_lists_are_complete() -> None:
    assert (len(REST_METHODS), len(set(REST_METHODS))) == (21, 21)
    assert (len(WS_METHODS), len(set(WS_METHODS))) == (38, 38)


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: load_document(path) for name, path in SPECS.items()}


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", SPECS)
def test_spec_validates_with_zero_problems_without_node(name: str) -> None:
    """The Python checks alone (Spectral too: integration/test_specs_tools.py)."""
    problems = validate_files([SPECS[name]], external=False)
    assert problems == [], f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("name", SPECS)
def test_every_example_matches_its_schema(name: str, docs: dict[str, Document]) -> None:
    doc = docs[name]
    report = check_examples(doc)
    assert report.problems == [], "\n".join(map(str, report.problems))
    # every operation has a response example and every message one example: a floor on the count
    floor = len(openapi_operations(doc)) if name == "rest" else len(asyncapi_messages(doc))
    print(f"{name}: {report.checked} examples checked")
    assert floor > 0 and report.checked >= floor


# ------------------------------------------------------------------ completeness


def test_rest_spec_has_all_21_methods(docs: dict[str, Document]) -> None:
    operations = openapi_operations(docs["rest"])
    names = {op.data.get("x-method-name") for op in operations}
    ids = {op.data.get("operationId") for op in operations}
    found = [m for m in REST_METHODS if m in names or m.replace(".", "_") in ids]
    missing = sorted(set(REST_METHODS) - set(found))
    print(f"REST methods: {len(found)}/{len(REST_METHODS)}")
    assert not missing, f"REST methods missing from {REST_SPEC.name}: {missing}"
    assert len(found) == 21


def _expected_kinds(method: str) -> set[str]:
    verb = method.rsplit(".", 1)[1]
    return {"subscribe": {"subscribe"}, "unsubscribe": {"unsubscribe"}, "update": {"push"}}.get(
        verb, {"request"}
    )


def test_websocket_spec_has_all_38_methods(docs: dict[str, Document]) -> None:
    kinds: dict[str, set[str]] = {}
    for message in asyncapi_messages(docs["websocket"]):
        rpc = message.value.get("x-rpc-method")
        if isinstance(rpc, dict) and isinstance(rpc.get("name"), str):
            kinds.setdefault(rpc["name"], set()).add(str(rpc.get("kind")))
    found = [m for m in WS_METHODS if m in kinds]
    missing = sorted(set(WS_METHODS) - set(found))
    print(f"WebSocket methods: {len(found)}/{len(WS_METHODS)}")
    assert not missing, f"WebSocket methods missing from {WS_SPEC.name}: {missing}"
    assert len(found) == 38
    wrong = {m: sorted(kinds[m]) for m in WS_METHODS if not kinds[m] & _expected_kinds(m)}
    assert not wrong, f"methods without a message of the expected x-rpc-method.kind: {wrong}"
