"""Swagger 2.0 in: converted to OpenAPI 3.0 with swagger2openapi (Node, optional like Spectral).

The converted document keeps the Swagger file's name and hash, and every pointer of it is mapped
back to the line of the Swagger node it came from (`definitions/X` for `components/schemas/X`, a
parameter by name and place, a response's `schema` for its media types...), so later problems
still point into the file the user has.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from generator import tools
from generator.load import Document
from generator.problems import Problem, Severity, SpecError, join_pointer, split_pointer

TOOL = "swagger2openapi"
TIMEOUT = 120.0  # seconds
_COMPONENTS = {
    "schemas": "definitions",
    "parameters": "parameters",
    "responses": "responses",
    "securitySchemes": "securityDefinitions",
}


def convert_swagger(doc: Document) -> tuple[Document, Problem]:
    """The OpenAPI 3.0 edition of a Swagger 2.0 document, and the one warning that says so.
    Raises SpecError (located at `/swagger`) when swagger2openapi is missing or fails."""
    exe = tools.node_tool(TOOL, doc.path)
    if exe is None:
        raise SpecError([_refused(doc, f"{TOOL} is not installed ({tools.NOT_FOUND_HINT})")])
    with tempfile.TemporaryDirectory(prefix="sdkgen-swagger-") as tmp:
        out = Path(tmp) / "openapi.json"
        cmd = [str(exe), "--patch", "--warnOnly", "--resolve", "--outfile", str(out), str(doc.path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SpecError([_refused(doc, f"{TOOL} did not finish within {TIMEOUT:g}s")]) from None
        except OSError as exc:
            raise SpecError([_refused(doc, f"cannot run {TOOL}: {exc.strerror}")]) from None
        try:
            data = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            detail = proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}"
            raise SpecError([_refused(doc, f"{TOOL} failed: {detail.splitlines()[-1]}")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("openapi"), str):
        raise SpecError([_refused(doc, f"{TOOL} wrote no OpenAPI document")])
    converted = Document(doc.path, data, _lines(data, doc), doc.sha256)
    note = doc.problem(
        "/swagger",
        f"Swagger 2.0: converted to OpenAPI {data['openapi']} with {TOOL} before generating "
        "(lines are the Swagger document's; --no-convert refuses it instead)",
        "kind",
        severity=Severity.WARNING,
    )
    return converted, note


def _refused(doc: Document, reason: str) -> Problem:
    return doc.problem(
        "/swagger",
        f"Swagger 2.0 cannot be converted: {reason}; convert it to OpenAPI 3 first "
        "(for example `npx swagger2openapi in.yaml -o out.yaml`)",
        "kind",
    )


def _lines(data: Any, swagger: Document) -> dict[str, int]:
    """pointer -> line for the converted document, from the Swagger node each pointer came from."""
    lines: dict[str, int] = {}

    def visit(node: Any, pointer: str) -> None:
        line = swagger.line_of(_origin(split_pointer(pointer), swagger.data, data))
        if line is not None:
            lines[pointer] = line
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, join_pointer(pointer, index))

    visit(data, "")
    return lines


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _origin(tokens: list[str], swagger: Any, openapi: Any) -> str:
    """The Swagger pointer an OpenAPI 3 pointer of the conversion came from (or its ancestor)."""
    if tokens[:1] == ["components"] and len(tokens) >= 2:
        return join_pointer("", _COMPONENTS.get(tokens[1], tokens[1]), *tokens[2:])
    if tokens[:1] == ["servers"]:
        return "/host"
    if tokens[:1] != ["paths"] or len(tokens) < 4:
        return join_pointer("", *tokens)
    base, rest = tokens[:3], tokens[3:]
    params = _get(swagger, *base, "parameters")
    params = params if isinstance(params, list) else []
    if rest[0] == "requestBody":  # the body parameter, or the formData ones
        body = [i for i, p in enumerate(params) if _get(p, "in") in ("body", "formData")]
        if not body:
            return join_pointer("", *base, "parameters")
        schema = rest[4:] if rest[3:4] == ["schema"] else []
        if _get(params[body[0]], "in") == "body":
            return join_pointer(
                "", *base, "parameters", body[0], *(["schema", *schema] if schema else [])
            )
        name = schema[1] if schema[:1] == ["properties"] and len(schema) > 1 else None
        match = [i for i in body if _get(params[i], "name") == name]
        return join_pointer("", *base, "parameters", *(match[:1] or body[:1]), *schema[2:])
    if rest[0] == "parameters" and len(rest) >= 2 and rest[1].isdigit():
        param = _get(openapi, *base, "parameters")
        param = param[int(rest[1])] if isinstance(param, list) and int(rest[1]) < len(param) else {}
        key = (_get(param, "name"), _get(param, "in"))
        match = [i for i, p in enumerate(params) if (_get(p, "name"), _get(p, "in")) == key]
        tail = rest[3:] if rest[2:3] == ["schema"] else rest[2:]  # Swagger types parameters inline
        return join_pointer("", *base, "parameters", *match[:1], *(tail if match else []))
    if rest[0] == "responses" and len(rest) >= 4 and rest[2] == "content":
        return join_pointer("", *base, "responses", rest[1], *rest[4:])  # drop content/<media>
    return join_pointer("", *tokens)
