"""A big, deterministic OpenAPI 3.0 document for scale tests and benchmarks (about 1 MB of YAML).

    from bigspec import write_big_spec
    path = write_big_spec(tmp_path / "big.yaml")          # 220 resources: 1100 operations, 662 schemas

The same arguments always give the same bytes (a seeded `random.Random`, no clock). Every
resource has list/create/get/update/delete operations with path, query and header parameters,
JSON bodies and response examples; its schemas use enums, nullable fields, maps, arrays, `allOf`
and references to other resources' schemas (including cycles), so the generator's slow paths are
all exercised. The document is valid (`python -m generator validate --no-external` accepts it).

Command line: `python tests/bigspec.py OUT.yaml [RESOURCES]`.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import yaml

WORDS = [
    "account",
    "alpha",
    "asset",
    "audit",
    "balance",
    "batch",
    "beta",
    "block",
    "bonus",
    "budget",
    "cache",
    "card",
    "cart",
    "channel",
    "charge",
    "check",
    "claim",
    "client",
    "cluster",
    "code",
    "comment",
    "config",
    "contact",
    "contract",
    "coupon",
    "credit",
    "customer",
    "dataset",
    "deal",
    "delivery",
    "deposit",
    "device",
    "discount",
    "document",
    "domain",
    "draft",
    "entry",
    "event",
    "export",
    "feature",
    "feed",
    "file",
    "filter",
    "fund",
    "gateway",
    "grant",
    "group",
    "hook",
    "image",
    "import",
    "index",
    "invoice",
    "issue",
    "item",
    "job",
    "key",
    "label",
    "ledger",
    "license",
    "limit",
    "link",
    "list",
    "log",
    "market",
    "member",
    "message",
    "meter",
    "metric",
    "model",
    "module",
    "note",
    "notice",
    "offer",
    "order",
    "owner",
    "package",
    "page",
    "partner",
    "payment",
    "payout",
    "period",
    "plan",
    "policy",
    "pool",
    "post",
    "price",
    "product",
    "profile",
    "project",
    "quota",
    "quote",
    "rate",
    "receipt",
    "record",
    "refund",
    "region",
    "release",
    "report",
    "request",
    "reserve",
    "review",
    "role",
    "route",
    "rule",
    "schedule",
    "scope",
    "segment",
    "service",
    "session",
    "setting",
    "share",
    "shipment",
    "signal",
    "site",
    "slot",
    "source",
    "space",
    "stage",
    "status",
    "stock",
    "store",
    "stream",
    "subject",
    "summary",
    "survey",
    "task",
    "team",
    "template",
    "tenant",
    "term",
    "ticket",
    "token",
    "topic",
    "trade",
    "transfer",
    "trend",
    "trigger",
    "unit",
    "upload",
    "usage",
    "user",
    "vault",
    "vendor",
    "version",
    "view",
    "volume",
    "wallet",
    "warehouse",
    "webhook",
    "widget",
    "window",
    "zone",
]


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(WORDS).title() + rng.choice(WORDS).title()
        if name not in taken:
            taken.add(name)
            return name


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build_big_spec(resources: int = 220, seed: int = 20240601) -> dict[str, Any]:
    """The document as plain data: `resources` resources, 5 operations and 3 schemas each."""
    rng = random.Random(seed)
    taken: set[str] = set()
    names = [_name(rng, taken) for _ in range(resources)]
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
        },
        "Meta": {  # a shared base, reached through allOf
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "description": "Identifier."},
                "created": {"type": "string", "format": "date-time"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    }
    paths: dict[str, Any] = {}
    for i, name in enumerate(names):
        schemas[name] = _resource_schema(rng, name, names[: i + 1] + names[i + 1 : i + 3])
        schemas[f"{name}Input"] = _input_schema(rng, name)
        schemas[f"{name}Page"] = {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                "next": {"type": "string", "nullable": True},
            },
        }
        paths.update(_resource_paths(rng, name))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Big generated API",
            "version": "1.0.0",
            "description": f"{resources} resources, {5 * resources} operations; generated by tests/bigspec.py.",
        },
        "servers": [{"url": "https://api.example.com/v1"}],
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "parameters": {
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                },
                "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            },
            "responses": {
                "Error": {
                    "description": "An error.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "example": {"code": 404, "message": "not found"},
                        }
                    },
                }
            },
            "schemas": schemas,
        },
    }


def _resource_schema(rng: random.Random, name: str, related: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "status": {
            "type": "string",
            "enum": ["active", *rng.sample(["pending", "closed", "on hold", "new", ""], 3)],
        },
        "amount": {"type": "string", "format": "decimal", "description": _sentence(rng, 6)},
        "count": {"type": "integer", "minimum": 0},
        "ratio": {"type": "number", "nullable": True},
        "enabled": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "attributes": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
    for other in rng.sample(related, min(2, len(related))):
        key = other[0].lower() + other[1:]
        props[key] = {"$ref": f"#/components/schemas/{other}"} if other != name else {
            "type": "array", "items": {"$ref": f"#/components/schemas/{other}"}}  # fmt: skip
    for _ in range(rng.randint(2, 5)):
        props[rng.choice(WORDS) + "_" + rng.choice(WORDS)] = rng.choice(
            [{"type": "string", "maxLength": 64}, {"type": "integer"}, {"type": "number"},
             {"type": "string", "nullable": True}, {"type": "array", "items": {"type": "integer"}}])  # fmt: skip
    return {
        "description": _sentence(rng, 12),
        "allOf": [
            {"$ref": "#/components/schemas/Meta"},
            {"type": "object", "required": ["status"], "properties": props},
        ],
    }


def _input_schema(rng: random.Random, name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": ["active", "pending", "closed"]},
            "amount": {"type": "string", "format": "decimal"},
            "count": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
            "note": {"type": "string", "description": _sentence(rng, 8)},
        },
    }


def _example(name: str, i: int) -> dict[str, Any]:
    return {
        "id": f"{name.lower()}-{i}",
        "status": "active",
        "amount": "12.50",
        "count": i,
        "tags": ["a"],
    }


def _resource_paths(rng: random.Random, name: str) -> dict[str, Any]:
    base = "/" + "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-") + "s"
    ref = {"$ref": f"#/components/schemas/{name}"}
    error = {"$ref": "#/components/responses/Error"}
    one = {
        "description": f"One {name}.",
        "content": {"application/json": {"schema": ref, "example": _example(name, 1)}},
    }
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}Input"}}},
    }
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    lower = name[0].lower() + name[1:]
    return {
        base: {
            "get": {
                "operationId": f"list{name}s",
                "summary": _sentence(rng, 5),
                "tags": [name],
                "parameters": [
                    {"$ref": "#/components/parameters/Limit"},
                    {"$ref": "#/components/parameters/Cursor"},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["active", "closed"]},
                    },
                    {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": f"A page of {name}s.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{name}Page"},
                                "example": {
                                    "items": [_example(name, 1), _example(name, 2)],
                                    "next": None,
                                },
                            }
                        },
                    },
                    "default": error,
                },
            },
            "post": {
                "operationId": f"create{name}",
                "summary": _sentence(rng, 5),
                "tags": [name],
                "requestBody": body,
                "responses": {"201": one, "default": error},
            },
        },
        base + "/{id}": {
            "parameters": [id_param],
            "get": {
                "operationId": f"get{name}",
                "tags": [name],
                "responses": {"200": one, "default": error},
            },
            "put": {
                "operationId": f"update{name}",
                "tags": [name],
                "requestBody": body,
                "responses": {"200": one, "default": error},
            },
            "delete": {
                "operationId": f"delete{name}",
                "tags": [name],
                "description": f"Deletes one {lower}.",
                "responses": {"204": {"description": "Deleted."}, "default": error},
            },
        },
    }


def write_big_spec(path: str | Path, resources: int = 220, seed: int = 20240601) -> Path:
    """Write the document as YAML; returns the path."""
    path = Path(path)
    text = yaml.safe_dump(
        build_big_spec(resources, seed), sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    out = write_big_spec(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
    print(f"{out}: {out.stat().st_size} bytes")
