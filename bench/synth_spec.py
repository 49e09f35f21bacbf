"""A large, valid, deterministic OpenAPI 3.0.3 spec for the generation benchmark, the stage profile
(bench/profile.py) and the scale test (tests/unit/test_edge_cases.py). The one synthesiser: every
size comes from here.

`python -m bench.synth_spec OUT.yaml [--size 1mb|5mb | --operations N | --resources N]
[--properties K]` writes it: `1mb` (default) is 100 resources, 500 operations, 0.99 MB of YAML;
`5mb` is 500 resources, 2,500 operations, 4.94 MB. Nothing random: the same N and K give the same
bytes. Each resource `Thing<i>` brings a schema of K (default 20)
properties (strings, enums,
decimals, integers, doubles, booleans, date-times, arrays, nested `$ref`s to earlier resources), a
create payload, a page schema, and five operations (list with query filters, create with a JSON
body, get, update, delete). Plain OpenAPI: no `x-` extensions, so every generator can read it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

DEFAULT_RESOURCES = 100  # about 1.0 MB of YAML
DEFAULT_PROPERTIES = 20
OPERATIONS_PER_RESOURCE = 5
SIZES = {"1mb": 100, "5mb": 500}  # resources: 0.99 MB / 500 operations, 4.94 MB / 2,500

_WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
]


def _word(i: int) -> str:
    return _WORDS[i % len(_WORDS)]


def _prose(i: int, n: int) -> str:
    words = [_word(i * 7 + k * 3) for k in range(n)]
    return (" ".join(words)).capitalize() + "."


def _prop(r: int, k: int) -> dict[str, Any]:
    """Property k of resource r: the type cycles so every resource has every kind."""
    desc = _prose(r * 31 + k, 12)
    kind = k % 10
    if kind == 0:
        return {"type": "string", "description": desc, "maxLength": 64}
    if kind == 1:
        return {"type": "integer", "format": "int64", "description": desc, "minimum": 0}
    if kind == 2:
        return {
            "type": "string",
            "format": "decimal",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": desc,
            "example": f"{r}.{k:04d}",
        }
    if kind == 3:
        return {"type": "number", "format": "double", "description": desc}
    if kind == 4:
        return {"type": "boolean", "description": desc}
    if kind == 5:
        return {"type": "string", "format": "date-time", "description": desc}
    if kind == 6:
        return {"$ref": f"#/components/schemas/Thing{r}Status"}
    if kind == 7:
        return {"type": "array", "items": {"type": "string"}, "description": desc, "maxItems": 50}
    if kind == 8 and r > 0:
        return {"$ref": f"#/components/schemas/Thing{(r * 7) % r}"}
    if kind == 9:
        return {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "value"],
                "properties": {
                    "key": {"type": "string", "description": "Entry key."},
                    "value": {"type": "integer", "format": "int32", "description": "Entry value."},
                },
            },
            "description": desc,
        }
    return {"type": "integer", "format": "int32", "description": desc}


def build(
    resources: int = DEFAULT_RESOURCES, properties: int = DEFAULT_PROPERTIES
) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object",
            "description": "An error body.",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer", "format": "int32", "description": "Error code."},
                "message": {"type": "string", "description": "Human-readable message."},
            },
        }
    }
    paths: dict[str, Any] = {}
    error_responses = {
        "400": {
            "description": "Bad request.",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": {"code": 400, "message": "bad request"},
                }
            },
        },
        "404": {
            "description": "Not found.",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": {"code": 404, "message": "not found"},
                }
            },
        },
    }
    for r in range(resources):
        name = f"Thing{r}"
        tag = f"group{r // 10}"
        props = {f"{_word(r + k)}_{k}": _prop(r, k) for k in range(properties)}
        required = [p for i, p in enumerate(props) if i % 3 == 0]
        schemas[f"{name}Status"] = {
            "type": "string",
            "description": _prose(r, 6),
            "enum": [f"{_word(r + i)}_{i}" for i in range(5)],
        }
        schemas[name] = {
            "type": "object",
            "description": _prose(r + 1, 20),
            "required": ["id", *required],
            "properties": {
                "id": {"type": "integer", "format": "int64", "description": "Id."},
                **props,
            },
        }
        create_props = {p: s for i, (p, s) in enumerate(props.items()) if i % 2 == 0}
        schemas[f"{name}Create"] = {
            "type": "object",
            "description": f"Fields to create a {name}.",
            "required": [p for p in create_props if p in required],
            "properties": create_props,
        }
        schemas[f"{name}Page"] = {
            "type": "object",
            "description": f"One page of {name}.",
            "required": ["total", "items"],
            "properties": {
                "total": {"type": "integer", "format": "int64", "description": "Total count."},
                "next": {"type": "string", "nullable": True, "description": "Cursor."},
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            },
        }
        ok = lambda schema: {
            "description": "OK.",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
        id_param = {
            "name": "id",
            "in": "path",
            "required": True,
            "description": f"{name} id.",
            "schema": {"type": "integer", "format": "int64"},
        }
        filters = [
            {
                "name": p,
                "in": "query",
                "required": False,
                "description": s.get("description", "Filter."),
                "schema": {"type": "string"}
                if "$ref" in s or s.get("type") in ("array",)
                else {
                    k: v for k, v in s.items() if k in ("type", "format", "maxLength", "minimum")
                },
            }
            for i, (p, s) in enumerate(props.items())
            if i % 4 == 1
        ]
        paths[f"/things{r}"] = {
            "get": {
                "operationId": f"list_thing{r}",
                "summary": f"List {name}",
                "description": _prose(r + 2, 25),
                "tags": [tag],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "Page size.",
                        "schema": {
                            "type": "integer",
                            "format": "int32",
                            "minimum": 1,
                            "maximum": 500,
                        },
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "description": "Cursor.",
                        "schema": {"type": "string"},
                    },
                    *filters,
                ],
                "responses": {"200": ok(f"{name}Page"), **error_responses},
            },
            "post": {
                "operationId": f"create_thing{r}",
                "summary": f"Create {name}",
                "description": _prose(r + 3, 25),
                "tags": [tag],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}Create"}
                        }
                    },
                },
                "responses": {"200": ok(name), **error_responses},
            },
        }
        paths[f"/things{r}/{{id}}"] = {
            "get": {
                "operationId": f"get_thing{r}",
                "summary": f"Get {name}",
                "description": _prose(r + 4, 25),
                "tags": [tag],
                "parameters": [id_param],
                "responses": {"200": ok(name), **error_responses},
            },
            "put": {
                "operationId": f"update_thing{r}",
                "summary": f"Update {name}",
                "description": _prose(r + 5, 25),
                "tags": [tag],
                "parameters": [id_param],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}Create"}
                        }
                    },
                },
                "responses": {"200": ok(name), **error_responses},
            },
            "delete": {
                "operationId": f"delete_thing{r}",
                "summary": f"Delete {name}",
                "description": _prose(r + 6, 25),
                "tags": [tag],
                "parameters": [id_param],
                "responses": {"204": {"description": "Deleted."}, **error_responses},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Synthetic Things API",
            "version": "1.0.0",
            "description": "A deterministic synthetic spec for the generation benchmark.",
        },
        "servers": [{"url": "https://things.example.invalid/v1"}],
        "tags": [
            {"name": f"group{g}", "description": _prose(g, 8)} for g in range((resources + 9) // 10)
        ],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def write(
    path: Path, resources: int = DEFAULT_RESOURCES, properties: int = DEFAULT_PROPERTIES
) -> int:
    """Writes the spec as YAML; returns its size in bytes."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        build(resources, properties), Dumper=dumper, sort_keys=False, width=100, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def resources_for(
    size: str | None = None, operations: int | None = None, resources: int | None = None
) -> int:
    """The number of resources for a named size, an operation count or itself."""
    if resources is not None:
        return resources
    if operations is not None:
        return max(1, -(-operations // OPERATIONS_PER_RESOURCE))
    return SIZES[size or "1mb"]


def ensure(path: Path, size: str) -> Path:
    """`path` holding the named size (written once; the bytes only depend on the size)."""
    if not path.exists():
        write(path, SIZES[size])
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth_spec", description=__doc__)
    parser.add_argument("out", type=Path)
    count = parser.add_mutually_exclusive_group()
    count.add_argument("--size", choices=sorted(SIZES), help="a named size (default 1mb)")
    count.add_argument(
        "--operations", type=int, help=f"operations ({OPERATIONS_PER_RESOURCE} per resource)"
    )
    count.add_argument("--resources", type=int)
    parser.add_argument("--properties", type=int, default=DEFAULT_PROPERTIES)
    args = parser.parse_args(argv)
    resources = resources_for(args.size, args.operations, args.resources)
    size = write(args.out, resources, args.properties)
    operations = resources * OPERATIONS_PER_RESOURCE
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {operations} operations)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
