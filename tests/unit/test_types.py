"""The one schema-to-type mapper (generator/model/types.py) and its type objects (pytype.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.load import Resolver, load_document
from generator.model.asyncapi import build_ws_api
from generator.model.openapi import build_rest_api
from generator.model.pytype import ANY, NONE, generic, literal, model, scalar, union
from generator.model.types import TypeMapper, decodable

ROOT = Path(__file__).resolve().parents[2]
COMMON = {
    "Thing": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "side": {"type": "string", "enum": ["buy", "sell"]},
            "price": {"type": "string", "format": "decimal"},
        },
    },
    "Row": {
        "type": "array",
        "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "x-positional": [
            {"name": "time", "schema": {"type": "integer"}},
            {"name": "price", "schema": {"type": "string", "format": "decimal"}},
        ],
    },
}
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/thing": {
            "get": {
                "operationId": "get_thing",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "./common.yaml#/Thing"},
                            }
                        },
                    }
                },
            }
        },
        "/rows": {
            "get": {
                "operationId": "get_rows",
                "parameters": [
                    {
                        "name": "side",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["buy", "sell"]},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Row"},
                                }
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {"schemas": {"Row": {"$ref": "./common.yaml#/Row"}}},
}
ASYNCAPI = {
    "asyncapi": "2.6.0",
    "info": {"title": "t", "version": "1"},
    "x-rpc": {},
    "channels": {"/": {"publish": {"message": {"$ref": "#/components/messages/Get"}}}},
    "components": {
        "messages": {
            "Get": {
                "payload": {
                    "type": "object",
                    "properties": {"method": {"type": "string"}, "params": {"type": "array"}},
                },
                "x-rpc-method": {"name": "thing.get", "kind": "request"},
            },
            "GetReply": {
                "payload": {
                    "type": "object",
                    "properties": {
                        "result": {
                            "type": "object",
                            "properties": {
                                "thing": {"$ref": "./common.yaml#/Thing"},
                                "rows": {"type": "array", "items": {"$ref": "./common.yaml#/Row"}},
                            },
                        }
                    },
                },
                "x-rpc-method": {"name": "thing.get", "kind": "reply"},
            },
        }
    },
}


def _write(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON))
    rest, ws = tmp_path / "rest.yaml", tmp_path / "ws.yaml"
    rest.write_text(yaml.safe_dump(OPENAPI))
    ws.write_text(yaml.safe_dump(ASYNCAPI))
    return rest, ws


def test_the_same_schema_is_the_same_class_in_both_halves(tmp_path: Path) -> None:
    rest_path, ws_path = _write(tmp_path)
    rest_doc, ws_doc = load_document(rest_path), load_document(ws_path)
    types = TypeMapper(Resolver(rest_doc))
    api, _ = build_rest_api(rest_doc, Resolver(rest_doc), "pkg", types=types)
    ws = build_ws_api(ws_doc, Resolver(ws_doc), "pkg", types=types)
    assert api.models is ws.models is types.models  # one set, one module
    ops = {op.operation_id: op for op in api.operations}
    assert ops["get_thing"].result.model == "Thing"
    (method,) = ws.methods
    reply = ws.models.schemas[method.result.model or ""]
    assert reply["properties"]["thing"] == {"$ref": "#/components/schemas/Thing"}
    assert reply["properties"]["rows"]["items"] == {"$ref": "#/components/schemas/Row"}
    assert sorted(n for n in ws.models.schemas if n.startswith(("Thing", "Row"))) == [
        "Row",
        "Thing",
        "ThingGetResult",  # the reply's own object, WebSocket-only
    ]
    assert "Row" in ws.models.positional and {"Thing", "Row"} <= set(ws.model_names)
    # the mapper keys classes by file and pointer after $ref resolution
    common = load_document(tmp_path / "common.yaml")
    assert types.name_of(common, "/Thing") == "Thing" and types.name_of(common, "/Row") == "Row"
    assert types.fields("Row") == {"time": "time", "price": "price"}  # hoisted by the REST reader


def test_each_half_alone_still_gets_its_own_mapper(tmp_path: Path) -> None:
    _, ws_path = _write(tmp_path)
    ws_doc = load_document(ws_path)
    ws = build_ws_api(ws_doc, Resolver(ws_doc), "pkg")
    assert ws.models.module == "models" and {"Thing", "Row"} <= set(ws.models.schemas)


def test_argument_types_are_objects_with_structural_facts(tmp_path: Path) -> None:
    rest_path, _ = _write(tmp_path)
    doc = load_document(rest_path)
    api, _ = build_rest_api(doc, Resolver(doc), "pkg")
    ops = {op.operation_id: op for op in api.operations}
    (side,) = ops["get_rows"].params
    assert side.py_type.is_literal and side.py_type.is_optional
    assert side.py_type.literal == ("buy", "sell")
    assert str(side.py_type) == "Literal['buy', 'sell'] | None"
    assert str(side.py_type.base) == "Literal['buy', 'sell']" and not side.py_type.base.nullable
    rows = ops["get_rows"].result  # REST names an inline array of models (a type alias)
    assert rows.is_model and rows.model == "GetRowsResult" and rows.imports == {(".", "models")}
    assert api.models.schemas["GetRowsResult"]["items"] == {"$ref": "#/components/schemas/Row"}


def test_pytype_constructors() -> None:
    dec = scalar("Decimal")
    assert dec.imports == {("decimal", "Decimal")} and dec.kind == "scalar"
    seq = generic("sequence", dec)
    assert seq.annotation == "Sequence[Decimal]" and seq.is_sequence and seq.item == dec
    assert seq.imports == {("collections.abc", "Sequence"), ("decimal", "Decimal")}
    assert generic("dict", model("models", "Order")).annotation == "dict[str, models.Order]"
    lit = literal(["a", 1])
    assert lit.annotation == "Literal['a', 1]" and lit.imports == {("typing", "Literal")}
    opt = lit.or_none()
    assert opt.annotation == "Literal['a', 1] | None" and opt.is_optional and opt.base == lit
    assert opt.or_none() == opt  # idempotent
    u = union([scalar("str"), scalar("str"), scalar("int")])
    assert u.annotation == "str | int" and u.kind == "union" and len(u.args) == 2
    assert union([dec]) is dec and union([]) is NONE
    assert union([dec, NONE]).nullable and NONE.is_none and ANY.kind == "any"
    assert hash(opt) == hash(literal(["a", 1]).or_none())  # frozen: usable as set members


def test_unions_msgspec_cannot_decode_widen_to_any() -> None:
    a, b = model("models", "A"), model("models", "B")
    assert decodable(union([a, b])) == ANY
    assert decodable(union([a, scalar("str")])).annotation == "models.A | str"
    assert decodable(generic("list", union([a, b]))).annotation == "list[Any]"
    assert decodable(generic("list", a.or_none())).annotation == "list[models.A | None]"
    assert decodable(union([generic("list", a), generic("list", b)])) == ANY


def test_hotbit_has_one_order_class() -> None:
    rest_doc = load_document(ROOT / "specs" / "hotbit-rest.openapi.yaml")
    ws_doc = load_document(ROOT / "specs" / "hotbit-websocket.asyncapi.yaml")
    types = TypeMapper(Resolver(rest_doc))
    api, _ = build_rest_api(rest_doc, Resolver(rest_doc), "hotbit", types=types)
    ws = build_ws_api(ws_doc, Resolver(ws_doc), "hotbit", types=types)
    ops = {op.operation_id: op for op in api.operations}
    assert ops["order_pending"].result.model == "PendingOrders"
    push = next(p for p in ws.pushes if p.name == "order.update").py_type
    assert push.model == "OrderUpdate"
    update = ws.models.schemas["OrderUpdate"]["properties"]["order"]
    assert update == {"$ref": "#/components/schemas/Order"}
    names = list(ws.models.schemas)
    for shape in ("Order", "OrderPage", "Deal", "KlineRow", "MarketStatus", "BalanceEntry"):
        assert names.count(shape) == 1
        assert not any(n.startswith(shape) and n[len(shape) :].isdigit() for n in names)


def test_templates_read_type_objects_never_type_strings() -> None:
    """Templates ask a PyType (is_literal, is_optional, base, ...), they do not slice its text."""
    import re

    pattern = re.compile(
        r"(py_type|decode_type|decode|annotation|result)"
        r"(\.(startswith|endswith|split|replace|removeprefix|removesuffix)\(|\[[-0-9]*:[-0-9]*\]"
        r"|\s*(==|!=)\s*[\"'])"
    )
    found = []
    for path in sorted((ROOT / "templates").rglob("*.j2")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


# Argument schemas both halves share: REST query parameters and WebSocket RPC positions.
ARGUMENTS = {
    "Side": {"type": "string", "enum": ["buy", "sell", "buy"]},
    "Amount": {"type": "string", "format": "decimal"},
    "Ratio": {"type": "number"},
    "Count": {"type": "integer"},
    "Filter": {"type": "object", "properties": {"a": {"type": "integer"}}},
    "Either": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    "Maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
    "Ids": {"type": "array", "items": {"type": "integer"}},
    "Pair": {"type": "array", "items": [{"type": "integer"}, {"type": "string"}]},
    "Blob": {"type": "string", "format": "binary"},
}


def test_rest_and_websocket_arguments_get_the_same_type_for_the_same_schema(
    tmp_path: Path,
) -> None:
    (tmp_path / "args.yaml").write_text(yaml.safe_dump(ARGUMENTS))
    names = list(ARGUMENTS)
    rest = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/args": {
                "get": {
                    "operationId": "take",
                    "parameters": [
                        {"name": n, "in": "query", "required": True, "schema": {"$ref": f"./args.yaml#/{n}"}}
                        for n in names
                    ],
                    "responses": {"204": {"description": "none"}},
                }
            }
        },
    }  # fmt: skip
    ws = {
        "asyncapi": "2.6.0",
        "info": {"title": "t", "version": "1"},
        "x-rpc": {},
        "channels": {"/": {"publish": {"message": {"$ref": "#/components/messages/Take"}}}},
        "components": {
            "messages": {
                "Take": {
                    "payload": {
                        "type": "object",
                        "properties": {
                            "method": {"type": "string"},
                            "params": {
                                "type": "array",
                                "items": [{"$ref": f"./args.yaml#/{n}", "title": n} for n in names],
                            },
                        },
                    },
                    "x-rpc-method": {"name": "take", "kind": "request"},
                },
            }
        },
    }
    (tmp_path / "rest.yaml").write_text(yaml.safe_dump(rest))
    (tmp_path / "ws.yaml").write_text(yaml.safe_dump(ws))
    rest_doc, ws_doc = load_document(tmp_path / "rest.yaml"), load_document(tmp_path / "ws.yaml")
    types = TypeMapper(Resolver(rest_doc))
    api, _ = build_rest_api(rest_doc, Resolver(rest_doc), "pkg", types=types)
    ws_api = build_ws_api(ws_doc, Resolver(ws_doc), "pkg", types=types)
    rest_types = {p.name: p.py_type for p in api.operations[0].params}
    (method,) = ws_api.methods
    ws_types = {p.name: p.py_type for p in method.params}
    assert rest_types == ws_types
    assert {n: str(t) for n, t in rest_types.items()} == {
        "Side": "Literal['buy', 'sell']",
        "Amount": "Decimal | str",
        "Ratio": "float | Decimal",
        "Count": "int",
        "Filter": "Mapping[str, Any]",
        "Either": "int | str",
        "Maybe": "int | None",
        "Ids": "Sequence[int]",
        "Pair": "tuple[int, str]",
        "Blob": "bytes | str",
    }


def test_a_json_body_object_is_its_model_or_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "args.yaml").write_text(yaml.safe_dump(ARGUMENTS))
    rest = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/args": {
                "post": {
                    "operationId": "send",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "filter": {"$ref": "./args.yaml#/Filter"},
                            "filters": {"type": "array", "items": {"$ref": "./args.yaml#/Filter"}},
                            "count": {"$ref": "./args.yaml#/Count"},
                        }}}},
                    },
                    "responses": {"204": {"description": "none"}},
                }
            }
        },
    }  # fmt: skip
    (tmp_path / "rest.yaml").write_text(yaml.safe_dump(rest))
    doc = load_document(tmp_path / "rest.yaml")
    api, _ = build_rest_api(doc, Resolver(doc), "pkg")
    params = {p.name: str(p.py_type) for p in api.operations[0].params}
    assert params == {
        "filter": "models.Filter | Mapping[str, Any] | None",  # named by its component
        "filters": "Sequence[models.Filter | Mapping[str, Any]] | None",
        "count": "int | None",
    }
