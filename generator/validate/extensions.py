"""The shapes of our `x-` extensions (`generator/schemas/x-extensions.json`)."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from generator.document.nodes import Extensions
from generator.load import Document
from generator.model.enums import enum_problems
from generator.problems import Problem, Severity, Source, join_pointer, split_pointer
from generator.runtime._signing import REQUEST_PLACEHOLDERS, placeholders
from generator.validate.collapse import _schema_errors
from generator.validate.common import _NOT_SPEC, SCHEMAS_DIR, _Context, _error_message, _problem

# Which x- extension (definition in x-extensions.json) is checked where. Unknown x- keys are ignored.
X_EXTENSIONS: dict[str, dict[str, str]] = {
    "openapi-root": {
        "x-sdk": "x-sdk",
        "x-signature": "x-signature",
        "x-envelope": "x-envelope",
        "x-error-codes": "x-error-codes",
        "x-rate-limit": "x-rate-limit",
    },
    "openapi-operation": {
        "x-signed": "x-signed",
        "x-envelope": "x-envelope-operation",
        "x-errors": "x-error-codes",
        "x-rate-limit": "x-rate-limit",
        "x-retry-safe": "x-retry-safe",
        "x-pagination": "x-pagination",
        "x-permission": "x-permission",
        "x-method-name": "x-method-name",
        "x-also-accepts": "x-also-accepts",
    },
    "asyncapi-root": {"x-rpc": "x-rpc", "x-frames": "x-frames", "x-error-codes": "x-error-codes"},
    "asyncapi-message": {"x-rpc-method": "x-rpc-method"},
    # checked wherever they appear (outside example values)
    "anywhere": {
        "x-quirks": "x-quirks",
        "x-json-encoded": "x-json-encoded",
        "x-positional": "x-positional",  # proposed
        "x-also-number": "x-also-number",  # proposed
        "x-enum-varnames": "x-enum-varnames",  # OpenAPI Generator
        "x-enum-descriptions": "x-enum-descriptions",  # OpenAPI Generator
        "x-ms-enum-flags": "x-ms-enum-flags",  # Microsoft
    },
}


def signature_problems(raw: Any, rest: bool) -> list[tuple[tuple[str, ...], str]]:
    """What a well-shaped signature object gets wrong: (pointer parts, message) pairs.
    Placeholders must exist where used; the secret is never sent; the server can read back
    every clock value and the signature (REST); a WebSocket payload has no request."""
    if not isinstance(raw, dict):
        return []
    out: list[tuple[tuple[str, ...], str]] = []
    found = raw.get("digests")
    digests: dict[str, Any] = found if isinstance(found, dict) else {}
    request = set(REQUEST_PLACEHOLDERS) if rest else set()
    sendable = {"api_key", "passphrase"} | ({"timestamp", "nonce"} if rest else set())
    known = request | sendable | {"secret_key"}

    def check(where: tuple[str, ...], template: Any, allowed: set[str]) -> set[str]:
        used = set(placeholders(template)) if isinstance(template, str) else set()
        for name in sorted(used - allowed):
            why = "the secret is never sent" if name == "secret_key" else "unknown placeholder"
            out.append((where, f"{{{name}}}: {why} here (allowed: {', '.join(sorted(allowed))})"))
        return used

    signed = set()
    for name, d in digests.items():
        if isinstance(d, dict):
            signed |= check(("digests", name, "payload"), d.get("payload"), set(known))
        known.add(str(name))
    signed |= check(("payload",), raw.get("payload"), known)
    if not rest:
        return out
    sent: dict[str, str] = {}
    templates = [
        ((key, str(k)), v)
        for key in ("headers", "parameters")
        if isinstance(raw.get(key), dict)
        for k, v in raw[key].items()
    ]
    after = sendable | set(digests) | {"signature"}
    for where, template in templates:
        used = check(where, template, after)
        if where[0] == "parameters" and "signature" not in used and used & set(digests):
            out.append((where, "a parameter signed over cannot use a digest"))
        for name in used:
            sent.setdefault(name, where[0])
    if raw.get("key-parameter"):
        sent.setdefault("api_key", "parameters")
    if raw.get("parameter"):
        sent.setdefault("signature", "parameters")
    if "signature" not in sent:
        out.append(((), "no header or parameter carries {signature}"))
    for name in sorted(signed & {"timestamp", "nonce"}):
        if name not in sent:
            out.append(((), f"{{{name}}} is signed but no header or parameter sends it"))
    return out


@functools.cache
def _extension_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (SCHEMAS_DIR / "x-extensions.json").read_text(encoding="utf-8")
    )
    return schema


@functools.cache
def _extension_validator(definition: str) -> Any:
    schema = dict(_extension_schema())
    schema["$ref"] = f"#/definitions/{definition}"
    return jsonschema.Draft7Validator(schema)


def _check_extension(
    ctx: _Context, doc: Document, pointer: str, value: Any, definition: str
) -> list[Problem]:
    name = split_pointer(pointer)[-1]
    out = []
    for error in _schema_errors(_extension_validator(definition), value):
        where = join_pointer(pointer, *error.absolute_path)
        out.append(_problem(ctx, doc, where, f"{name}: {_error_message(error)}", Source.RULES))
    return out


def _check_extensions(ctx: _Context) -> list[Problem]:
    doc, data = ctx.doc, ctx.doc.data
    problems: list[Problem] = []

    def check(extensions: Extensions, where: str) -> None:
        for key, definition in X_EXTENSIONS[where].items():
            found = extensions.get(key)
            if found is not None:
                loc = found.location
                problems.extend(
                    _check_extension(ctx, loc.doc, loc.pointer, found.value, definition)
                )

    def semantics(found: Any, rest: bool, *inner: str) -> None:
        if found is None:
            return
        value = found.value
        for key in inner:
            value = value.get(key) if isinstance(value, dict) else None
        loc = found.location
        for parts, message in signature_problems(value, rest):
            where = join_pointer(loc.pointer, *inner, *parts)
            problems.append(_problem(ctx, loc.doc, where, message, Source.RULES))

    if ctx.kind.family == "openapi":
        model = ctx.openapi
        check(model.extensions, "openapi-root")
        semantics(model.extensions.get("x-signature"), True)
        for op in model.operations:
            check(op.extensions, "openapi-operation")
            signed = op.extensions.get("x-signed")
            if signed is not None and signed.value is True and "x-signature" not in data:
                problems.append(
                    _problem(
                        ctx,
                        signed.location.doc,
                        signed.location.pointer,
                        f"{op.method.upper()} {op.path} is x-signed but the document has no "
                        "x-signature",
                        Source.RULES,
                    )
                )
    else:
        check(ctx.asyncapi.extensions, "asyncapi-root")
        semantics(ctx.asyncapi.extensions.get("x-rpc"), False, "auth", "signature")
        for message in ctx.asyncapi.messages:
            check(message.extensions, "asyncapi-message")

    def anywhere(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for parts, message in enum_problems(node):
                where = join_pointer(pointer, *parts)
                problems.append(_problem(ctx, doc, where, message, Source.RULES, Severity.WARNING))
            for key, value in node.items():
                here = join_pointer(pointer, key)
                if key in X_EXTENSIONS["anywhere"]:
                    problems.extend(
                        _check_extension(ctx, doc, here, value, X_EXTENSIONS["anywhere"][key])
                    )
                elif key not in _NOT_SPEC:
                    anywhere(value, here)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                anywhere(value, join_pointer(pointer, index))

    anywhere(data, "")
    return problems
