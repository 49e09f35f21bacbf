"""2. Decoding: recorded bodies and pushes into our typed models, against the floor and the peers.

- ours: REST `hotbit._operations.<op>_parse(RawResponse)` (the precompiled msgspec decoder plus the
  envelope check the client runs); WS pushes through the decoder the WebSocket client uses.
- floor: `orjson.loads` plus `Decimal()` of every numeric string, a hand-written walk per shape
  (tuples and dicts, no classes). The benchmark checks that the floor makes as many Decimals as ours.
- peers: the models openapi-python-client and OpenAPI Generator generate from our REST spec
  (generated into the scratch folder, imported from there), decoding the same bytes the way their
  clients do: openapi-python-client `Model.from_dict(json.loads(body))` (httpx `response.json()`),
  OpenAPI Generator `Model.from_json(body.decode())` (its `ApiClient.deserialize`). Both keep
  decimal strings as `str` (they do not know `format: decimal`), so they do less work than ours.

Each dataset is one "call": every recorded body of that operation decoded once. The peers have no
AsyncAPI input, so WS pushes are compared with the floor only.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from bench._common import RECORDINGS, Report, Row, compare, fmt

D = Decimal
REST_OPS = ("order_depth", "market_deals", "market_kline", "order_pending", "order_finished")
WS_PUSHES = ("depth.update", "deals.update", "kline.update", "order.update")
FLOOR_LIMIT, PEER_LIMIT = 1.2, 1 / 1.5
DEPTH100_FLOOR_LIMIT = 1.0  # issue 14: the 100-level depth at most the floor

# Keys whose values our models decode into Decimal (orders, deals, balances).
_DEC_KEYS = frozenset(
    [
        "price",
        "amount",
        "taker_fee",
        "maker_fee",
        "left",
        "deal_stock",
        "deal_money",
        "deal_fee",
        "alt_fee",
        "deal_fee_alt",
        "fee",
        "deal",
    ]
)


# -- the floor: orjson + Decimal, hand-written per shape ---------------------------------------
def _dec(v: Any) -> Any:
    return D(v) if v.__class__ is str else D(repr(v)) if v.__class__ is float else D(v)


def _record(r: dict[str, Any]) -> dict[str, Any]:
    for k in _DEC_KEYS.intersection(r):
        r[k] = _dec(r[k])
    return r


def _levels(levels: list[list[str]]) -> list[tuple[Decimal, Decimal]]:
    return [(D(p), D(a)) for p, a in levels]


def _floor_depth(result: dict[str, Any]) -> Any:
    return {side: _levels(levels) for side, levels in result.items()}


def _floor_deals(result: list[dict[str, Any]]) -> Any:
    return [_record(d) for d in result]


def _floor_kline(result: list[list[Any]]) -> Any:
    return [(r[0], D(r[1]), D(r[2]), D(r[3]), D(r[4]), D(r[5]), D(r[6]), r[7]) for r in result]


def _floor_page(page: dict[str, Any]) -> Any:
    page["records"] = [_record(r) for r in page["records"]]
    return page


def _floor_pending(result: dict[str, Any]) -> Any:
    return {market: _floor_page(page) for market, page in result.items()}


FLOOR_RESULT: dict[str, Callable[[Any], Any]] = {
    "order_depth": _floor_depth,
    "market_deals": _floor_deals,
    "market_kline": _floor_kline,
    "order_pending": _floor_pending,
    "order_finished": _floor_page,
}


def _floor_rest(op: str) -> Callable[[bytes], Any]:
    walk = FLOOR_RESULT[op]
    loads = orjson.loads

    def floor(body: bytes) -> Any:
        doc = loads(body)
        if doc["error"] is not None:
            raise ValueError(doc["error"])
        return walk(doc["result"])

    return floor


# WS pushes: {"method", "params": [...], "id"}; the walk converts the params like the REST result.
def _floor_ws_depth(params: list[Any]) -> Any:
    return (params[0], _floor_depth(params[1]), params[2])


def _floor_ws_deals(params: list[Any]) -> Any:
    return (params[0], _floor_deals(params[1]))


def _floor_ws_kline(params: list[Any]) -> Any:
    return _floor_kline(params)


def _floor_ws_order(params: list[Any]) -> Any:
    return (params[0], _record(params[1]))


FLOOR_WS: dict[str, Callable[[list[Any]], Any]] = {
    "depth.update": _floor_ws_depth,
    "deals.update": _floor_ws_deals,
    "kline.update": _floor_ws_kline,
    "order.update": _floor_ws_order,
}


def _floor_push(method: str) -> Callable[[bytes], Any]:
    walk = FLOOR_WS[method]
    loads = orjson.loads

    def floor(frame: bytes) -> Any:
        return walk(loads(frame)["params"])

    return floor


def count_decimals(obj: Any) -> int:
    """Decimals anywhere in a decoded value (msgspec Structs, dicts, lists, tuples)."""
    if isinstance(obj, Decimal):
        return 1
    if isinstance(obj, dict):
        return sum(count_decimals(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(count_decimals(v) for v in obj)
    fields = getattr(obj, "__struct_fields__", None)
    if fields is not None:
        return sum(count_decimals(getattr(obj, f)) for f in fields)
    return 0


# -- data ---------------------------------------------------------------------------------------
def rest_bodies() -> dict[str, list[bytes]]:
    """Successful recorded bodies per operation, as compact JSON bytes (what a server sends)."""
    out: dict[str, list[bytes]] = {op: [] for op in REST_OPS}
    for path in sorted((RECORDINGS / "rest").glob("*.json")):
        rec = json.loads(path.read_text())
        op, body = rec.get("operation"), rec.get("response", {}).get("body")
        if op in out and isinstance(body, dict) and body.get("error") is None and "result" in body:
            out[op].append(orjson.dumps(body))
    return out


def depth_levels(n: int, base: float = 16541.23, step: float = 0.01) -> dict[str, list[list[str]]]:
    """n ask and n bid levels, realistic strings ("16541.24", "0.4120")."""
    asks = [
        [f"{base + step * (i + 1):.2f}", f"{0.0125 * ((i * 37) % 97 + 1):.4f}"] for i in range(n)
    ]
    bids = [[f"{base - step * i:.2f}", f"{0.0175 * ((i * 53) % 89 + 1):.4f}"] for i in range(n)]
    return {"asks": asks, "bids": bids}


def depth100_body() -> bytes:
    return orjson.dumps({"error": None, "result": depth_levels(100), "id": 1527559250})


def ws_pushes() -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {m: [] for m in WS_PUSHES}
    for path in sorted((RECORDINGS / "ws").glob("*.json")):
        rec = json.loads(path.read_text())
        for exchange in rec.get("exchanges", []):
            for push in exchange.get("pushes", []):
                if push.get("method") in out:
                    out[push["method"]].append(orjson.dumps(push))
    return out


def depth100_push() -> bytes:
    return orjson.dumps(
        {"method": "depth.update", "params": [True, depth_levels(100), "BTCUSDT"], "id": None}
    )


# -- ours ---------------------------------------------------------------------------------------
def _ours_rest(op: str) -> Callable[[bytes], Any]:
    from hotbit import _operations as ops
    from hotbit.errors import RawResponse

    parse = getattr(ops, f"{op}_parse")
    raws: dict[bytes, RawResponse] = {}  # the transport builds RawResponse; not timed here

    def ours(body: bytes) -> Any:
        raw = raws.get(body)
        if raw is None:
            raw = raws[body] = RawResponse(200, {}, body)
        return parse(raw)

    return ours


def ws_push_decoder() -> Callable[[str, bytes], Any] | None:
    """`decode(method, frame) -> typed push`, the two steps the WebSocket client runs on a push
    (`_FRAME.decode`, then the method's precompiled params decoder); None while the generated SDK
    has no WebSocket client."""
    try:
        from hotbit import _ws_rpc as rt
        from hotbit import websocket as ws
    except ImportError:
        return None
    decoders = getattr(ws, "_PUSH_DECODERS", None)
    head = getattr(rt, "_FRAME", None)
    if decoders is None or head is None:
        return None
    frame_decode = head.decode

    def decode(method: str, data: bytes) -> Any:
        return decoders[method].decode(frame_decode(data).params)

    return decode


# -- peers --------------------------------------------------------------------------------------
def _opc_models(root: Path, package: str) -> dict[str, type]:
    found: dict[str, type] = {}
    models = importlib.import_module(f"{package}.models")
    for path in (root / package / "api").rglob("*.py"):
        m = re.search(r"(\w+)\.from_dict\(response\.json\(\)\)", path.read_text())
        if m and path.stem in REST_OPS:
            found[path.stem] = getattr(models, m.group(1))
    return found


def _oag_models(root: Path, package: str) -> dict[str, type]:
    found: dict[str, type] = {}
    models = importlib.import_module(f"{package}.models")
    for path in (root / package / "api").glob("*_api.py"):
        text = path.read_text()
        for op in REST_OPS:
            m = re.search(rf"def {op}\(.*?'200': \"(\w+)\"", text, re.DOTALL)
            if m:
                found[op] = getattr(models, m.group(1))
    return found


def _opc_decoder(cls: Any) -> Callable[[bytes], Any]:
    """openapi-python-client's `_parse_response`: `Model.from_dict(response.json())`."""
    from_dict, loads = cls.from_dict, json.loads
    return lambda body: from_dict(loads(body))


def _oag_decoder(cls: Any) -> Callable[[bytes], Any]:
    """OpenAPI Generator's `ApiClient.deserialize`: decode the text, `json.loads`, `from_dict`."""
    from_json = cls.from_json
    return lambda body: from_json(body.decode())


def peers() -> tuple[dict[str, dict[str, Callable[[bytes], Any]]], list[str]]:
    """{peer: {op: decode(body)}} and notes on what could not be loaded."""
    from bench.gen import peer_outputs

    paths = peer_outputs()
    notes: list[str] = []
    out: dict[str, dict[str, Callable[[bytes], Any]]] = {}
    for peer, key, package, finder in (
        ("openapi-python-client", "opc", "opc_hotbit", _opc_models),
        ("OpenAPI Generator", "oag", "oag_hotbit", _oag_models),
    ):
        root = paths[key]
        if not (root / package).is_dir():
            notes.append(f"{peer}: no generated package")
            continue
        sys.path.insert(0, str(root))
        try:
            classes = finder(root, package)
        except Exception as exc:  # noqa: BLE001 - a peer's generated code failing to import is a result
            notes.append(f"{peer}: import failed ({type(exc).__name__}: {exc})")
            continue
        make = _opc_decoder if key == "opc" else _oag_decoder
        out[peer] = {op: make(cls) for op, cls in classes.items()}
        for op in REST_OPS:
            if op not in classes:
                notes.append(f"{peer}: no response model found for {op}")
    return out, notes


def pydantic_depth() -> Callable[[bytes], Any]:
    """The issue's reference point: a pydantic v2 model of the depth reply with Decimal fields."""
    from pydantic import BaseModel

    class Depth(BaseModel):
        asks: list[tuple[Decimal, Decimal]]
        bids: list[tuple[Decimal, Decimal]]

    class DepthReply(BaseModel):
        error: dict[str, Any] | None = None
        result: Depth | None = None
        id: int | None = None

    validate = DepthReply.model_validate_json
    return lambda body: validate(body)


# -- the benchmark -------------------------------------------------------------------------------
def _all(fn: Callable[[bytes], Any], bodies: list[bytes]) -> Callable[[], Any]:
    def call() -> Any:
        for b in bodies:
            fn(b)

    return call


def _dataset(
    report: Report,
    label: str,
    bodies: list[bytes],
    ours: Callable[[bytes], Any],
    floor: Callable[[bytes], Any],
    peer_fns: dict[str, Callable[[bytes], Any]],
    rounds: int,
    reference: tuple[str, Callable[[bytes], Any]] | None = None,
) -> None:
    n_ours = sum(count_decimals(ours(b)) for b in bodies)
    n_floor = sum(count_decimals(floor(b)) for b in bodies)
    warn = "" if n_ours == n_floor else f"; floor makes {n_floor} Decimals, ours {n_ours}"
    fns: dict[str, Callable[[], Any]] = {"ours": _all(ours, bodies), "floor": _all(floor, bodies)}
    failed: dict[str, str] = {}
    for peer, fn in peer_fns.items():
        try:
            for b in bodies:
                fn(b)
        except Exception as exc:  # noqa: BLE001 - a peer rejecting our data is a result
            failed[peer] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            continue
        fns[peer] = _all(fn, bodies)
    if reference is not None:
        fns[reference[0]] = _all(reference[1], bodies)
    t = compare(fns, rounds=rounds)
    size = sum(len(b) for b in bodies)
    desc = f"{len(bodies)} bodies, {size:,} bytes, {n_ours} Decimals"
    line = "  ".join(f"{k} {fmt(v, 'us')}" for k, v in t.items())
    print(f"  {label:28} {line}  ({desc})", flush=True)
    report.add(
        Row.time_ratio(
            f"decode {label} vs floor",
            t["ours"],
            t["floor"],
            "floor",
            DEPTH100_FLOOR_LIMIT if "100 levels" in label else FLOOR_LIMIT,
            "us",
            note=desc + warn,
        )
    )
    measured = {p: t[p] for p in peer_fns if p in t}
    if measured:
        fastest = min(measured, key=lambda p: measured[p])
        others = ", ".join(f"{p} {fmt(v, 'us')}" for p, v in measured.items() if p != fastest)
        note = "peers keep decimal strings as str (no Decimal built)"
        note += f"; slower peer: {others}" if others else ""
        if failed:
            note += "; failed: " + "; ".join(f"{p}: {e}" for p, e in failed.items())
        report.add(
            Row.time_ratio(
                f"decode {label} vs peers",
                t["ours"],
                measured[fastest],
                fastest,
                PEER_LIMIT,
                "us",
                note=note.strip("; "),
            )
        )
    if reference is not None:
        name = reference[0]
        report.add(
            Row.time_ratio(
                f"decode {label} vs {name}",
                t["ours"],
                t[name],
                name,
                PEER_LIMIT,
                "us",
                note="the issue's reference: msgspec ~100 us vs pydantic v2 ~170 us",
            )
        )
    if not measured and failed:
        report.add(
            Row(
                f"decode {label} vs peers",
                fmt(t["ours"], "us"),
                "failed",
                None,
                f"<= {PEER_LIMIT:.2f}",
                None,
                "; ".join(f"{p}: {e}" for p, e in failed.items()),
            )
        )


def run(report: Report, rounds: int = 7) -> None:
    print(
        f"[decode] per call (every recorded body of the dataset once): median of {rounds} rounds",
        flush=True,
    )
    peer_fns, notes = peers()
    for note in notes:
        print(f"  ! {note}", flush=True)
    bodies = rest_bodies()
    for op in REST_OPS:
        if not bodies[op]:
            report.add(Row.missing(f"decode {op}", f"<= {FLOOR_LIMIT}", "no recording"))
            continue
        _dataset(
            report,
            f"REST {op}",
            bodies[op],
            _ours_rest(op),
            _floor_rest(op),
            {p: fns[op] for p, fns in peer_fns.items() if op in fns},
            rounds,
        )
    _dataset(
        report,
        "REST order_depth 100 levels",
        [depth100_body()],
        _ours_rest("order_depth"),
        _floor_rest("order_depth"),
        {p: fns["order_depth"] for p, fns in peer_fns.items() if "order_depth" in fns},
        rounds,
        reference=("pydantic v2 Decimal model", pydantic_depth()),
    )

    decode = ws_push_decoder()
    if decode is None:
        report.add(
            Row.missing(
                "decode WS pushes",
                f"<= {FLOOR_LIMIT}",
                "generated/hotbit has no WebSocket client (ws_models) yet",
            )
        )
        return
    pushes = ws_pushes()
    pushes["depth.update 100 levels"] = [depth100_push()]
    for method, frames in pushes.items():
        wire = method.split()[0]
        if not frames:
            report.add(Row.missing(f"decode WS {method}", f"<= {FLOOR_LIMIT}", "no recording"))
            continue
        _dataset(
            report,
            f"WS {method}",
            frames,
            functools.partial(decode, wire),
            _floor_push(wire),
            {},
            rounds,
        )
