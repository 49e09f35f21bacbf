"""`build_ws_api`: the intermediate model of the WebSocket API, from the real spec and small ones."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from support import ROOT, WS_SPEC, dump_yaml, load_yaml

from generator import runtime
from generator.load import Document, Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.ir import WsApi
from generator.problems import SpecError

FIXTURE = ROOT / "tests" / "fixtures" / "specs" / "asyncapi-26-good.yaml"


def build(path: Path) -> WsApi:
    doc = load_document(path)
    return build_ws_api(doc, Resolver(doc), "pkg")


@pytest.fixture(scope="module")
def api() -> WsApi:
    return build(WS_SPEC)


def test_connection_settings_come_from_the_spec(api: WsApi) -> None:
    assert api.url == "wss://ws.hotbit.io/v2/"
    assert api.framing is not None and api.framing.reply_result == "result"
    assert api.binary_frames == "auto"
    assert (
        api.auth is not None
        and api.auth.method == "server.auth"
        and api.auth.params == ("{api_key}", "{signature}")
    )
    assert api.heartbeat is not None and api.heartbeat.method == "server.ping"
    assert api.request_timeout == 10


def test_methods_params_and_result_types(api: WsApi) -> None:
    methods = {m.name: m for m in api.methods}
    depth = methods["depth.query"]
    assert (depth.py_name, depth.kind, depth.private) == ("depth_query", "request", False)
    assert [(p.py_name, str(p.py_type)) for p in depth.params] == [
        ("market", "str"),
        ("limit", "int"),
        ("interval", "Decimal | str"),
    ]
    assert methods["price.query"].result.py_type == "Decimal"
    assert methods["deals.query"].result.py_type == "list[models.Deal]"
    deals = methods["deals.query"].result
    assert deals.kind == "list" and deals.item is not None and deals.item.model == "Deal"
    markets = methods["order.query"].params[0].py_type
    assert methods["order.query"].private and markets.py_type == "Sequence[str]"
    assert markets.is_sequence and markets.item is not None and markets.item.annotation == "str"
    assert methods["balance.history"].aliases == ("asset.history",)
    assert methods["server.auth"].internal and methods["price.unsubscribe"].internal
    assert not methods["server.ping"].internal  # the heartbeat method is public too
    price = methods["price.subscribe"]
    assert (
        price.kind == "subscribe"
        and price.push == "price.update"
        and price.unsubscribe == "price.unsubscribe"
    )
    assert price.variadic is not None and price.variadic.py_name == "markets" and price.mergeable
    assert (price.route, price.route_params) == ("market", ("market", "markets"))
    sub = methods["depth.subscribe"]
    assert (
        not sub.mergeable
        and sub.route == "market"
        and sub.result.py_type == "models.DepthUpdate"
        and sub.result.model == "DepthUpdate"
    )
    assert methods["kline.subscribe"].result.py_type == "list[models.KlineRow]"  # rows, any number
    assert methods["order.subscribe"].route is None  # the push does not name its market at the top


def test_positional_arrays_become_array_like_models(api: WsApi) -> None:
    models = api.models
    assert models.module == "models"
    assert {
        "DepthUpdate",
        "DepthLevel",
        "KlineRow",
        "PriceUpdate",
        "AssetUpdate",
    } <= models.positional
    depth = models.schemas["DepthUpdate"]
    assert list(depth["properties"]) == ["clean", "book", "market"] and depth["required"] == [
        "clean",
        "book",
        "market",
    ]
    assert models.schemas["DepthLevel"]["properties"]["price"] == {
        "type": "string",
        "format": "decimal",
        "description": models.schemas["DepthLevel"]["properties"]["price"]["description"],
    }
    assert (
        "Decimal" not in models.schemas
    )  # scalar components are inlined, never shadow decimal.Decimal
    refs = re.findall(r'"\$ref": "([^"]+)"', str(models.schemas).replace("'", '"'))
    assert refs and all(r.removeprefix("#/components/schemas/") in models.schemas for r in refs)


def test_pushes(api: WsApi) -> None:
    pushes = {p.name: p.py_type.py_type for p in api.pushes}
    assert pushes["depth.update"] == "models.DepthUpdate"
    assert pushes["asset.update"] == "models.AssetUpdate"


def test_small_generic_spec_builds() -> None:
    api = build(FIXTURE)
    assert api.url == "wss://stream.example.com/ws/"
    assert [(m.name, m.py_name, str(m.result)) for m in api.methods] == [
        ("server.time", "server_time", "int")
    ]
    assert api.auth is None and api.order_books == []


# ------------------------------------------------------------------ problems are located


def write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    """The document in tmp_path, next to the shared component files it `$ref`s."""
    if not (tmp_path / "components").exists():
        (tmp_path / "components").symlink_to(WS_SPEC.parent / "components")
    path = tmp_path / "spec.yaml"
    path.write_text(dump_yaml(doc))
    return path


def fixture_doc() -> dict[str, Any]:
    return load_yaml(FIXTURE)


def test_asyncapi_without_x_rpc_is_a_located_error(tmp_path: Path) -> None:
    doc = fixture_doc()
    del doc["x-rpc"]
    with pytest.raises(SpecError) as info:
        build(write(tmp_path, doc))
    (problem,) = info.value.problems
    assert problem.file.endswith("spec.yaml") and problem.line == 1
    assert "x-rpc" in problem.message and "not supported" in problem.message


def test_message_without_x_rpc_method_is_a_located_error(tmp_path: Path) -> None:
    doc = fixture_doc()
    del doc["components"]["messages"]["ServerTime"]["x-rpc-method"]
    with pytest.raises(SpecError) as info:
        build(write(tmp_path, doc))
    assert [p.pointer for p in info.value.problems] == ["/components/messages/ServerTime"]
    assert info.value.problems[0].line is not None


def test_subscribe_without_a_push_is_a_located_error(tmp_path: Path) -> None:
    doc = fixture_doc()
    doc["components"]["messages"]["ServerTime"]["x-rpc-method"]["kind"] = "subscribe"
    with pytest.raises(SpecError) as info:
        build(write(tmp_path, doc))
    assert info.value.problems[0].pointer == "/components/messages/ServerTime/x-rpc-method/push"


def test_order_book_extension(tmp_path: Path) -> None:
    doc = load_yaml(WS_SPEC)
    subscribe = doc["components"]["messages"]["DepthSubscribe"]
    subscribe["x-order-book"] = {
        "clean": "clean",
        "asks": "book.asks",
        "bids": "book.bids",
        "market": "market",
    }
    api = build(write(tmp_path, doc))
    book, several = api.order_books  # the spec's own: one book per market over depths.subscribe
    assert (several.method, several.py_name, several.market) == (
        "depths.subscribe",
        "market_book",
        ("market",),
    )
    assert (book.method, book.py_name, book.push) == (
        "depth.subscribe",
        "order_book",
        "depth.update",
    )
    assert (book.clean, book.asks, book.bids, book.market) == (
        ("clean",),
        ("book", "asks"),
        ("book", "bids"),
        ("market",),
    )
    assert (book.price, book.amount) == (".price", ".amount")
    subscribe["x-order-book"] = {"clean": "clean", "asks": "book.sells", "bids": "book.bids"}
    with pytest.raises(SpecError) as info:
        build(write(tmp_path, doc))
    assert info.value.problems[0].pointer == "/components/messages/DepthSubscribe/x-order-book/asks"
    assert "'sells' is not a field" in info.value.problems[0].message


def test_unique_names_a_list_and_its_items_id(tmp_path: Path) -> None:
    doc = load_yaml(WS_SPEC)
    deals = {m.name: m for m in build(write(tmp_path, doc)).methods}["deals.subscribe"]
    assert deals.unique == (("deals",), "id")  # the spec's own
    rpc = doc["components"]["messages"]["DealsSubscribe"]["x-rpc-method"]
    for bad, problem in [("deals.nope", "'nope' is not a field"), ("id", "list.id")]:
        rpc["unique"] = bad
        with pytest.raises(SpecError) as info:
            build(write(tmp_path, doc))
        assert info.value.problems[0].pointer.endswith("/DealsSubscribe/x-rpc-method/unique")
        assert problem in info.value.problems[0].message


# ------------------------------------------------------------------ nothing exchange-specific


@pytest.mark.parametrize(
    "path",
    [
        *sorted(str(f.relative_to(ROOT)) for f in (ROOT / "generator/model/asyncapi").glob("*.py")),
        "templates/package/websocket.py.j2",
        "templates/package/orderbook.py.j2",
        *(f"generator/runtime/{name}" for name in sorted(runtime.MODULES)),
    ],
)
def test_no_exchange_names_in_the_generator(path: str) -> None:
    text = (ROOT / path).read_text().lower()
    for word in ("hotbit", "depth", "server.ping", "server.auth", "viabtc", "btcusdt"):
        assert word not in text, f"{path} mentions {word!r}"


def test_malformed_specs_give_located_errors_never_tracebacks(tmp_path: Path) -> None:
    """Random damage to the RPC parts of the real spec: a SpecError or a model, nothing else.
    As many damaged copies as the hypothesis profile's examples (60 in `make test`, 20 offline)."""
    loaded = load_document(WS_SPEC)
    base = loaded.data

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

    targets = [
        p
        for p in paths(base)
        if {"x-rpc", "x-rpc-method", "payload", "x-frames"} & set(map(str, p))
    ]
    rng = random.Random(20240601)
    values = [
        None,
        1,
        "x",
        [],
        {},
        True,
        {"$ref": "#/nope"},
        [1, "a"],
        {"type": "array", "items": [{}]},
    ]
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
        if not (tmp_path / "components").exists():  # the shared component files it `$ref`s
            (tmp_path / "components").symlink_to(WS_SPEC.parent / "components")
        # no YAML round trip: fast; the lines of the undamaged spec (a node without one is
        # located at its nearest ancestor's)
        document = Document(tmp_path / "spec.yaml", doc, loaded.lines)
        try:
            build_ws_api(document, Resolver(document), "pkg")
        except SpecError as exc:
            assert all(p.file and p.message for p in exc.problems)
