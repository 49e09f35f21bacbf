"""Stage 2: validate OpenAPI 3.0/3.1 and AsyncAPI 2.x/3.0 documents and lint them.

Every finding is a `Problem` naming the file, the JSON pointer and the line. The checks, by `source`:

* ``load`` / ``yaml``: the file cannot be read or parsed, or a `$ref` points at nothing.
* ``kind``: not an OpenAPI 3.0/3.1 or AsyncAPI 2.0-2.6/3.0 document (Swagger 2.0 included).
* ``openapi``: openapi-spec-validator (its JSON Schema, then its semantic checks).
* ``asyncapi``: the official AsyncAPI JSON Schema for the document's version (vendored in
  `generator/schemas/asyncapi/`).
* ``rules``: our own rules: operationIds, response/message examples, every example valid against its
  schema, and the shapes of our `x-` extensions (`generator/schemas/x-extensions.json`,
  `docs/spec-extensions.md`).
* ``spectral:<rule>``: Spectral with the root `.spectral.yaml` (only when `external=True`).

`lenient=True` reports everything as a warning. Otherwise every problem is an error, Spectral
warnings included (Spectral info and hint results are not reported).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import functools
import json
import os
import re
import subprocess
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import referencing
import referencing.jsonschema
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]

from generator import tools
from generator.load import Document, Located, Resolver, load_document
from generator.problems import Problem, Severity, SpecError, join_pointer, split_pointer

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
SCHEMAS_DIR = PACKAGE_DIR / "schemas"
ASYNCAPI_SCHEMA_VERSIONS = ("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0")
SPECTRAL_RULESET = tools.SPECTRAL_RULESET
SPECTRAL_TIMEOUT = 180.0  # seconds, per file
SWAGGER_MESSAGE = (
    "Swagger 2.0 is not supported: convert it to OpenAPI 3 first "
    "(for example `npx swagger2openapi in.yaml -o out.yaml`)"
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

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
    },
}


# --------------------------------------------------------------------------------------------
# public API


def validate_files(
    paths: Iterable[str | os.PathLike[str]], *, lenient: bool = False, external: bool = True
) -> list[Problem]:
    """Validate every file; returns all problems (errors, or warnings when `lenient`), sorted."""
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_document(Path(path))
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        except RecursionError:  # load.py recurses: absurd nesting or a self-referencing YAML alias
            message = "cannot load: the YAML nests too deeply or an alias (*name) contains itself"
            problems.append(Problem(str(path), None, "", message, "load"))
            continue
        found = validate_document(doc)
        problems.extend(found)
        if external and not any(p.source == "kind" for p in found):
            problems.extend(spectral_problems(doc))
    return finish(problems, lenient=lenient)


def validate_document(doc: Document, *, lenient: bool = False, policy: bool = True) -> list[Problem]:
    """The Python-only checks of one loaded document (no Node tools). Used by `generate` too.

    `policy=False` drops our authoring rules (every operation has an operationId and an example),
    which our own specs must follow but a third-party document need not.
    """
    kind = detect_kind(doc)
    if isinstance(kind, Problem):
        return finish([kind], lenient=lenient)
    ctx = _Context(doc, Resolver(doc), kind)
    problems: list[Problem] = []
    steps: list[tuple[str, Callable[[_Context], list[Problem]]]] = [("refs", _check_refs)]
    if kind.family == "openapi":
        steps += [("openapi", _check_openapi_structure), ("rules", _check_openapi_rules)]
    else:
        steps += [("asyncapi", _check_asyncapi_structure), ("rules", _check_asyncapi_rules)]
    steps += [("rules", _check_extensions)]
    for source, step in steps:
        try:
            problems.extend(step(ctx))
        except SpecError as exc:
            problems.extend(exc.problems)
        except Exception as exc:  # noqa: BLE001 - never a traceback for any input
            problems.append(
                doc.problem("", f"could not finish the {source} checks: {exc!r}", source)
            )
    if not policy:
        problems = [p for p in problems if p.source != "policy"]
    return finish(problems, lenient=lenient)


def finish(problems: Iterable[Problem], *, lenient: bool = False) -> list[Problem]:
    """Deduplicate, apply `lenient` (every error becomes a warning) and sort."""
    out = {dataclasses.replace(p, severity=Severity.WARNING) if lenient else p for p in problems}
    return sorted(
        out, key=lambda p: (p.file, p.line or 0, p.pointer, p.message, p.source, p.severity.value)
    )


@dataclass(frozen=True)
class Kind:
    family: str  # "openapi" | "asyncapi"
    version: str  # "3.0" / "3.1" for OpenAPI, the full version ("2.6.0") for AsyncAPI


def detect_kind(doc: Document) -> Kind | Problem:
    """What the document is, or one located problem saying why it is nothing we support."""
    data = doc.data
    if data is None:
        message = "the file is empty: expected an OpenAPI or AsyncAPI document"
        return Problem(doc.name, doc.line_of("") or 1, "", message, "kind")
    if not isinstance(data, dict):
        return doc.problem(
            "",
            f"the top level is {_type_name(data)}: expected a mapping "
            "(an OpenAPI 3 or AsyncAPI document)",
            "kind",
        )
    if "swagger" in data and "openapi" not in data:
        return doc.problem("/swagger", SWAGGER_MESSAGE, "kind")
    if "openapi" in data:
        version = data["openapi"]
        if not isinstance(version, str):
            return doc.problem(
                "/openapi", f'`openapi` must be a string such as "3.0.3", found {version!r}', "kind"
            )
        match = re.fullmatch(r"(3\.[01])\.\d+(-.+)?", version)
        if match is None:
            return doc.problem(
                "/openapi",
                f"unsupported OpenAPI version {version!r}: supported are 3.0.x and 3.1.x",
                "kind",
            )
        return Kind("openapi", match.group(1))
    if "asyncapi" in data:
        version = data["asyncapi"]
        if not isinstance(version, str):
            return doc.problem(
                "/asyncapi",
                f'`asyncapi` must be a string such as "2.6.0", found {version!r}',
                "kind",
            )
        if version not in ASYNCAPI_SCHEMA_VERSIONS:
            supported = ", ".join(ASYNCAPI_SCHEMA_VERSIONS)
            return doc.problem(
                "/asyncapi",
                f"unsupported AsyncAPI version {version!r}: supported are {supported}",
                "kind",
            )
        return Kind("asyncapi", version)
    return doc.problem(
        "",
        "not an OpenAPI or AsyncAPI document: expected a top-level `openapi` or `asyncapi` field",
        "kind",
    )


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    data: dict[str, Any]
    doc: Document
    pointer: str


def openapi_operations(doc: Document) -> list[Operation]:
    """Every operation of an OpenAPI document (path items reached through `$ref` included)."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem) or kind.family != "openapi":
        return []
    walker = _OpenAPIWalker(_Context(doc, Resolver(doc), kind))
    return [Operation(*found) for found in walker.operations()]


def asyncapi_messages(doc: Document) -> list[Located]:
    """Every message of an AsyncAPI document (components and channels), each location once."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem) or kind.family != "asyncapi":
        return []
    walker = _AsyncAPIWalker(_Context(doc, Resolver(doc), kind))
    return [Located(message, mdoc, pointer) for message, mdoc, pointer in walker.messages()]


# --------------------------------------------------------------------------------------------
# shared helpers


@dataclass
class _Context:
    doc: Document
    resolver: Resolver
    kind: Kind
    broken_refs: bool = False
    bundlers: dict[str, _SchemaBundler] = field(default_factory=dict)  # by dialect, shared


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _relative(path: str | os.PathLike[str]) -> str:
    """`path` relative to the working directory if it is inside it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _display_name(doc: Document, root: Document) -> str:
    return root.name if doc is root else _relative(doc.path)


def _problem(ctx: _Context, doc: Document, pointer: str, message: str, source: str) -> Problem:
    return Problem(_display_name(doc, ctx.doc), doc.line_of(pointer), pointer, message, source)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _error_message(error: ValidationError) -> str:
    """jsonschema's message, with a long repr of the instance shortened."""
    message = str(error.message)
    text = repr(error.instance)
    if len(text) > 80 and text in message:
        message = message.replace(text, _short(error.instance))
    return message


def _follow(ctx: _Context, value: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
    located = ctx.resolver.follow(value, doc, pointer)
    return located.value, located.doc, located.pointer


def _locate(ctx: _Context, tokens: Iterable[Any]) -> tuple[Document, str]:
    """The real (file, pointer) of a logical path from the root that may pass through `$ref`s."""
    node: Any = ctx.doc.data
    doc, pointer = ctx.doc, ""
    missing = False
    for raw in tokens:
        token = str(raw)
        if missing:
            pointer = join_pointer(pointer, token)
            continue
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and token != "$ref":
            try:
                node, doc, pointer = _follow(ctx, node, doc, pointer)
            except SpecError:
                missing = True
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            missing = True
        pointer = join_pointer(pointer, token)
    return doc, pointer


def _spec_nodes(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every node with its pointer, depth first, skipping example values (data, not spec)."""
    yield pointer, value
    if isinstance(value, dict):
        for key, child in value.items():
            here = join_pointer(pointer, key)
            if key == "example" or (key == "examples" and isinstance(child, list)):
                continue
            if key == "examples" and isinstance(child, dict):  # OpenAPI: name -> Example | $ref
                for name, example in child.items():
                    at = join_pointer(here, name)
                    yield at, example
                    if isinstance(example, dict):
                        for k, v in example.items():
                            if k != "value":
                                yield from _spec_nodes(v, join_pointer(at, k))
                continue
            yield from _spec_nodes(child, here)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _spec_nodes(child, join_pointer(pointer, index))


def _check_refs(ctx: _Context) -> list[Problem]:
    """Every `$ref` in the document must resolve (other files are loaded once)."""
    problems: list[Problem] = []
    for pointer, node in _spec_nodes(ctx.doc.data):
        if not isinstance(node, dict) or "$ref" not in node:
            continue
        ref = node["$ref"]
        if not isinstance(ref, str):
            # a schema property or an example value can be named `$ref`; only flag odd types
            if not isinstance(ref, dict):
                problems.append(
                    _problem(
                        ctx, ctx.doc, join_pointer(pointer, "$ref"), "$ref must be a string", "load"
                    )
                )
            continue
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", ref):
            continue  # remote URL: not followed
        try:
            ctx.resolver.follow(node, ctx.doc, pointer)
        except SpecError as exc:
            for p in exc.problems:
                if p.file == ctx.doc.name:
                    problems.append(p)
                elif p.pointer.endswith("/$ref"):  # a broken $ref inside the other file
                    problems.append(dataclasses.replace(p, file=_relative(p.file)))
                else:  # the other file itself is broken
                    where = _relative(p.file) + (f":{p.line}" if p.line else "")
                    problems.append(
                        _problem(
                            ctx,
                            ctx.doc,
                            join_pointer(pointer, "$ref"),
                            f"$ref {ref!r}: {where}: {p.message}",
                            "load",
                        )
                    )
        except Exception as exc:  # noqa: BLE001 - e.g. a directory or an unreadable path
            problems.append(
                _problem(
                    ctx, ctx.doc, join_pointer(pointer, "$ref"), f"$ref {ref!r}: {exc}", "load"
                )
            )
    ctx.broken_refs = bool(problems)
    return problems


# --------------------------------------------------------------------------------------------
# JSON Schema error collapsing (oneOf/anyOf errors are noisy)


def _ref_miss(errors: list[ValidationError], base: int, instance: Any) -> bool:
    """The branch is the `$ref` alternative but the instance is no reference."""
    if isinstance(instance, dict) and "$ref" in instance:
        return False
    return any(
        e.validator == "required" and len(e.absolute_path) == base and e.validator_value == ["$ref"]
        for e in errors
    )


def _branch_score(errors: list[ValidationError], base: int) -> tuple[int, ...]:
    top = [e for e in errors if len(e.absolute_path) == base]
    type_miss = any(e.validator in ("type", "const", "enum") for e in top)
    deepest = max((len(e.absolute_path) for e in errors), default=base)
    return (int(type_miss), len(top), -deepest, len(errors))


def _with(error: ValidationError, message: str, *extra_path: Any) -> ValidationError:
    out = copy.copy(error)
    out.message = message
    if extra_path:
        out.path = out.relative_path = deque([*error.relative_path, *extra_path])
    return out


def _merge_alternatives(branches: list[list[ValidationError]]) -> ValidationError | None:
    """Every alternative fails on the same value's type or allowed values: one error naming all."""
    for group in (("enum", "const"), ("type",)):
        per_branch = [
            {tuple(e.absolute_path): e for e in errors if e.validator in group}
            for errors in branches
        ]
        common = set.intersection(*(set(found) for found in per_branch))
        if not common:
            continue
        path = min(common, key=len)
        allowed: list[Any] = []
        for found in per_branch:
            error = found[path]
            values = error.validator_value
            if error.validator == "const" or not isinstance(values, list):
                values = [values]
            allowed.extend(v for v in values if v not in allowed)
        first = per_branch[0][path]
        if group == ("type",):
            message = f"{_short(first.instance)} is not of type " + ", ".join(map(repr, allowed))
        else:
            message = f"{_short(first.instance)} is not one of {allowed!r}"
        return _with(first, message)
    return None


def _refine(error: ValidationError) -> list[ValidationError]:
    """Point "additional properties" errors at each unexpected key."""
    schema, instance = error.schema, error.instance
    if error.validator == "unevaluatedProperties" and error.validator_value is False:
        match = re.search(r"\((.*) (?:was|were) unexpected\)", str(error.message))
        try:
            names = ast.literal_eval(f"({match.group(1)},)") if match else ()
        except (ValueError, SyntaxError):
            names = ()
        if names and all(isinstance(n, str) for n in names):
            return [_with(error, f"unexpected property {n!r}", n) for n in names]
        return [error]
    if error.validator != "additionalProperties" or not isinstance(instance, dict):
        return [error]
    if not isinstance(schema, dict) or error.validator_value is not False:
        return [error]
    known = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    extras = [
        k for k in instance
        if k not in known and not any(re.search(p, str(k)) for p in patterns)
    ]  # fmt: skip
    if not extras:
        return [error]
    hint = (
        " (only the fixed fields and x- extensions are allowed)"
        if any("x-" in p for p in patterns)
        else ""
    )
    return [_with(error, f"unexpected property {k!r}{hint}", k) for k in extras]


def collapse(error: ValidationError) -> list[ValidationError]:
    """The errors worth showing for one top-level error: the deepest relevant cause(s)."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return _refine(error)
    grouped: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        grouped.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
    base = len(error.absolute_path)
    branches = [b for b in grouped.values() if not _ref_miss(b, base, error.instance)]
    branches = branches or list(grouped.values())
    if len(branches) > 1:
        merged = _merge_alternatives(branches)
        if merged is not None:
            return [merged]
    best = min(branches, key=lambda errs: _branch_score(errs, base))
    if _branch_score(best, base)[0] and len(branches) > 1:
        return [error]  # no alternative fits even the value's type: say so at this level
    out: list[ValidationError] = []
    for sub in best:
        out.extend(collapse(sub))
    return out


def _schema_errors(validator: Any, instance: Any) -> list[ValidationError]:
    out: list[ValidationError] = []
    for error in validator.iter_errors(instance):
        out.extend(collapse(error))
    return out


# --------------------------------------------------------------------------------------------
# OpenAPI structure: openapi-spec-validator


@functools.cache
def _openapi_validator_class(version: str) -> type[Any]:
    """openapi-spec-validator's validator whose semantic errors carry the path they were found at."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )
    from openapi_spec_validator.validation.exceptions import (
        DuplicateOperationIDError,
        ExtraParametersError,
    )

    base: type[Any] = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator

    def located(cls: type[Any], prefix: tuple[str, ...] = ()) -> type[Any]:
        class LocatedKeyword(cls):  # type: ignore[misc]
            def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
                where = next((a for a in args if isinstance(a, SchemaPath)), None)
                for err in super().__call__(*args, **kwargs):
                    if where is not None and getattr(err, "generator_parts", None) is None:
                        extra: tuple[Any, ...]
                        if isinstance(err, DuplicateOperationIDError):
                            extra = ("operationId",)
                        elif isinstance(err, ExtraParametersError):
                            extra = ("required",)
                        else:
                            extra = prefix + tuple(err.path)
                        err.generator_parts = tuple(where.parts) + extra
                    yield err

        LocatedKeyword.__name__ = LocatedKeyword.__qualname__ = "Located" + cls.__name__
        return LocatedKeyword

    keyword_validators = {
        name: located(cls, ("default",) if name == "default" else ())
        for name, cls in base.keyword_validators.items()
    }
    return type("Located" + base.__name__, (base,), {"keyword_validators": keyword_validators})


def _check_openapi_structure(ctx: _Context) -> list[Problem]:
    cls = _openapi_validator_class(ctx.kind.version)
    validator = cls(ctx.doc.data, base_uri=ctx.doc.path.resolve().as_uri())
    problems: list[Problem] = []
    for error in _schema_errors(validator.schema_validator, ctx.doc.data):
        pointer = join_pointer("", *error.absolute_path)
        problems.append(_problem(ctx, ctx.doc, pointer, _error_message(error), "openapi"))
    if problems or ctx.broken_refs:
        return problems  # the semantic pass assumes a well-formed, resolvable document
    for error in validator.root_validator(validator.schema_path):
        parts = getattr(error, "generator_parts", None) or ()
        doc, pointer = _locate(ctx, parts)
        problems.append(_problem(ctx, doc, pointer, _error_message(error), "openapi"))
    return problems


# --------------------------------------------------------------------------------------------
# AsyncAPI structure: the official JSON Schema


@functools.cache
def asyncapi_validator(version: str) -> Any:
    """A Draft 7 validator for the vendored official schema of one AsyncAPI version."""
    schema = json.loads((SCHEMAS_DIR / "asyncapi" / f"{version}.json").read_text(encoding="utf-8"))
    resource = referencing.Resource.from_contents(
        schema, default_specification=referencing.jsonschema.DRAFT7
    )
    registry: referencing.Registry[Any] = (resource @ referencing.Registry()).crawl()
    return jsonschema.Draft7Validator(schema, registry=registry)


def _check_asyncapi_structure(ctx: _Context) -> list[Problem]:
    validator = asyncapi_validator(ctx.kind.version)
    problems = []
    for error in _schema_errors(validator, ctx.doc.data):
        pointer = join_pointer("", *error.absolute_path)
        problems.append(_problem(ctx, ctx.doc, pointer, _error_message(error), "asyncapi"))
    return problems


# --------------------------------------------------------------------------------------------
# examples: OpenAPI/AsyncAPI schema -> plain JSON Schema, then validate


_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")
_SCHEMA_ONE = (
    "additionalProperties", "additionalItems", "not", "contains", "if", "then", "else",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
)  # fmt: skip
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_DROPPED = {
    "example", "examples", "xml", "externalDocs", "discriminator", "nullable", "format",
    "deprecated", "$schema", "$id", "$anchor", "$dynamicAnchor", "$comment",
}  # fmt: skip


class _SchemaBundler:
    """Converts one OpenAPI/AsyncAPI schema (and everything it `$ref`s, in any file) into a
    self-contained JSON Schema: refs become `#/definitions/dN`, OpenAPI 3.0 `nullable` becomes a
    type union, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, and annotations that
    plain JSON Schema does not know (`format`, `discriminator`, `example`, ...) are dropped."""

    def __init__(self, ctx: _Context, dialect: str) -> None:
        self.ctx = ctx
        self.oas30 = dialect == "oas30"
        self.defs_key = "$defs" if dialect == "oas31" else "definitions"
        self.definitions: dict[str, Any] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.checked: set[str] = set()

    def bundle(self, schema: Any, doc: Document, pointer: str) -> Any:
        root = self.convert(schema, doc, pointer)
        if self.definitions:
            if isinstance(root, bool):
                root = {"allOf": [root]}
            root = dict(root)
            root[self.defs_key] = self.definitions
        return root

    def _ref(self, node: dict[str, Any], doc: Document, pointer: str) -> dict[str, Any]:
        value, target_doc, target_pointer = _follow(self.ctx, node, doc, pointer)
        key = (str(target_doc.path.resolve()), target_pointer)
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = f"d{len(self.names)}"
            self.definitions[name] = True  # placeholder: breaks cycles
            self.definitions[name] = self.convert(value, target_doc, target_pointer)
        return {"$ref": f"#/{self.defs_key}/{name}"}

    def convert(self, node: Any, doc: Document, pointer: str) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            return {}  # not a schema: the structural checks report it
        if isinstance(node.get("$ref"), str):
            ref = self._ref(node, doc, pointer)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if self.oas30 or not siblings:
                return ref
            rest = self.convert(siblings, doc, pointer)
            return {"allOf": [ref, rest]} if rest else ref
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = join_pointer(pointer, key)
            if key in _DROPPED or key.startswith("x-"):
                continue
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {
                    k: self.convert(v, doc, join_pointer(here, k)) for k, v in value.items()
                }
            elif key in _SCHEMA_ONE:
                out[key] = self.convert(value, doc, here)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [
                    self.convert(v, doc, join_pointer(here, i)) for i, v in enumerate(value)
                ]
            elif key == "items":
                if isinstance(value, list):
                    out[key] = [
                        self.convert(v, doc, join_pointer(here, i)) for i, v in enumerate(value)
                    ]
                else:
                    out[key] = self.convert(value, doc, here)
            elif key == "dependencies" and isinstance(value, dict):
                out[key] = {
                    k: v if isinstance(v, list) else self.convert(v, doc, join_pointer(here, k))
                    for k, v in value.items()
                }
            else:
                out[key] = value
        if self.oas30:
            for bound in ("Minimum", "Maximum"):
                flag = out.get("exclusive" + bound)
                if isinstance(flag, bool):
                    del out["exclusive" + bound]
                    limit = out.get(bound.lower())
                    if flag and limit is not None:
                        out["exclusive" + bound] = out.pop(bound.lower())
            if node.get("nullable") is True and "type" in out:
                types = out["type"] if isinstance(out["type"], list) else [out["type"]]
                if "null" not in types:
                    out["type"] = [*types, "null"]
                if isinstance(out.get("enum"), list) and None not in out["enum"]:
                    out["enum"] = [*out["enum"], None]
        return out


@dataclass(frozen=True)
class ExampleCheck:
    """One example value and the schema it must satisfy, both located."""

    value: Any
    doc: Document
    pointer: str  # where the example value is
    schema: Any
    schema_doc: Document
    schema_pointer: str


@dataclass
class ExampleReport:
    checked: int
    problems: list[Problem]


def _validator_for(ctx: _Context, schema: Any, doc: Document, pointer: str) -> Any:
    """A JSON Schema validator for the schema at doc#pointer; raises SchemaError if it is broken."""
    dialect = {"openapi": "oas30" if ctx.kind.version == "3.0" else "oas31"}.get(
        ctx.kind.family, "draft7"
    )
    cls: Any = jsonschema.Draft202012Validator if dialect == "oas31" else jsonschema.Draft7Validator
    bundler = ctx.bundlers.get(dialect)
    if bundler is None:
        bundler = ctx.bundlers[dialect] = _SchemaBundler(ctx, dialect)
    known = len(bundler.definitions)
    root = bundler.convert(schema, doc, pointer)
    # Each shared definition is checked once, when it first appears; then only the root.
    for name in list(bundler.definitions)[known:]:
        if name not in bundler.checked:
            bundler.checked.add(name)
            try:
                cls.check_schema(bundler.definitions[name])
            except jsonschema.exceptions.SchemaError:
                bundler.definitions[name] = True  # reported here, once; accepts anything after
                raise
    cls.check_schema(root)
    if bundler.definitions:
        root = dict({"allOf": [root]} if isinstance(root, bool) else root)
        root[bundler.defs_key] = bundler.definitions
    return cls(root)


def check_examples(doc: Document) -> ExampleReport:
    """Validate every example in `doc` against its own schema; counts the examples checked."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem):
        return ExampleReport(0, [kind])
    ctx = _Context(doc, Resolver(doc), kind)
    return _check_examples(ctx, _iter_examples(ctx))


def _check_examples(ctx: _Context, checks: Iterable[ExampleCheck]) -> ExampleReport:
    problems: list[Problem] = []
    seen: set[tuple[str, str, str, str]] = set()
    validators: dict[tuple[str, str], Any] = {}
    count = 0
    for check in checks:
        key = (str(check.doc.path), check.pointer, str(check.schema_doc.path), check.schema_pointer)
        if key in seen:
            continue
        seen.add(key)
        count += 1
        schema_at = f"{_display_name(check.schema_doc, ctx.doc)}#{check.schema_pointer}"
        try:
            where = key[2:]
            if where not in validators:
                try:
                    validators[where] = _validator_for(
                        ctx, check.schema, check.schema_doc, check.schema_pointer
                    )
                except jsonschema.exceptions.SchemaError as exc:
                    validators[where] = exc
            validator = validators[where]
            if isinstance(validator, jsonschema.exceptions.SchemaError):
                detail = _error_message(validator)
                message = f"cannot check the example: its schema ({schema_at}) is invalid: {detail}"
                problems.append(_problem(ctx, check.doc, check.pointer, message, "rules"))
                continue
            errors = _schema_errors(validator, check.value)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        except Exception as exc:  # noqa: BLE001 - a schema jsonschema cannot apply
            message = f"cannot check the example against its schema ({schema_at}): {exc!r}"
            problems.append(_problem(ctx, check.doc, check.pointer, message, "rules"))
            continue
        for error in errors:
            pointer = join_pointer(check.pointer, *error.absolute_path)
            message = f"example does not match its schema ({schema_at}): {_error_message(error)}"
            problems.append(_problem(ctx, check.doc, pointer, message, "rules"))
    return ExampleReport(count, problems)


def _iter_examples(ctx: _Context) -> Iterator[ExampleCheck]:
    if ctx.kind.family == "openapi":
        yield from _OpenAPIWalker(ctx).examples()
    else:
        yield from _AsyncAPIWalker(ctx).examples()


class _Walker:
    """Visits schemas (following `$ref`s into other files, each location once)."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.visited: set[tuple[str, str]] = set()

    def follow(self, value: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
        try:
            return _follow(self.ctx, value, doc, pointer)
        except SpecError:
            return None, doc, pointer  # reported by the $ref check

    def schema_examples(self, schema: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        """`example` / `examples[*]` of this schema and of every subschema."""
        schema, doc, pointer = self.follow(schema, doc, pointer)
        if not isinstance(schema, dict):
            return
        key = (str(doc.path.resolve()), pointer)
        if key in self.visited:
            return
        self.visited.add(key)
        if "example" in schema:
            yield ExampleCheck(
                schema["example"], doc, join_pointer(pointer, "example"), schema, doc, pointer
            )
        if isinstance(schema.get("examples"), list):
            for index, value in enumerate(schema["examples"]):
                yield ExampleCheck(
                    value, doc, join_pointer(pointer, "examples", index), schema, doc, pointer
                )
        for name, value in schema.items():
            here = join_pointer(pointer, name)
            if name in _SCHEMA_MAPS and isinstance(value, dict):
                for k, v in value.items():
                    yield from self.schema_examples(v, doc, join_pointer(here, k))
            elif name in _SCHEMA_ONE or (name == "items" and not isinstance(value, list)):
                yield from self.schema_examples(value, doc, here)
            elif (name in _SCHEMA_LISTS or name == "items") and isinstance(value, list):
                for i, v in enumerate(value):
                    yield from self.schema_examples(v, doc, join_pointer(here, i))


class _OpenAPIWalker(_Walker):
    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], Document, str]]:
        """(path, method, operation, doc, pointer) for every operation."""
        paths = self.ctx.doc.data.get("paths")
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item, doc, pointer = self.follow(item, self.ctx.doc, join_pointer("/paths", path))
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield path, method, op, doc, join_pointer(pointer, method)

    def _content(self, content: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if not isinstance(content, dict):
            return
        for media, media_type in content.items():
            yield from self._with_schema(media_type, doc, join_pointer(pointer, media))

    def _with_schema(self, obj: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        """A media type, parameter or header: its `example`/`examples` against its `schema`."""
        obj, doc, pointer = self.follow(obj, doc, pointer)
        if not isinstance(obj, dict):
            return
        if "content" in obj:  # parameter/header described by a media type
            yield from self._content(obj["content"], doc, join_pointer(pointer, "content"))
        schema = obj.get("schema")
        if schema is None:
            return
        schema_pointer = join_pointer(pointer, "schema")
        yield from self.schema_examples(schema, doc, schema_pointer)
        target, target_doc, target_pointer = self.follow(schema, doc, schema_pointer)
        if target is None:
            return
        if "example" in obj:
            yield ExampleCheck(
                obj["example"],
                doc,
                join_pointer(pointer, "example"),
                target,
                target_doc,
                target_pointer,
            )
        examples = obj.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                ex, ex_doc, ex_pointer = self.follow(
                    example, doc, join_pointer(pointer, "examples", name)
                )
                if isinstance(ex, dict) and "value" in ex:
                    yield ExampleCheck(
                        ex["value"],
                        ex_doc,
                        join_pointer(ex_pointer, "value"),
                        target,
                        target_doc,
                        target_pointer,
                    )

    def _parameters(self, params: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if isinstance(params, list):
            for index, param in enumerate(params):
                yield from self._with_schema(param, doc, join_pointer(pointer, index))

    def _responses(self, responses: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if not isinstance(responses, dict):
            return
        for code, response in responses.items():
            response, rdoc, rpointer = self.follow(response, doc, join_pointer(pointer, code))
            if not isinstance(response, dict):
                continue
            yield from self._content(
                response.get("content"), rdoc, join_pointer(rpointer, "content")
            )
            headers = response.get("headers")
            if isinstance(headers, dict):
                for name, header in headers.items():
                    yield from self._with_schema(
                        header, rdoc, join_pointer(rpointer, "headers", name)
                    )

    def examples(self) -> Iterator[ExampleCheck]:
        root = self.ctx.doc
        data = root.data
        paths = data.get("paths")
        if isinstance(paths, dict):
            for path, item in paths.items():
                item, doc, pointer = self.follow(item, root, join_pointer("/paths", path))
                if isinstance(item, dict):
                    yield from self._parameters(
                        item.get("parameters"), doc, join_pointer(pointer, "parameters")
                    )
        for _path, _method, op, doc, pointer in self.operations():
            yield from self._parameters(
                op.get("parameters"), doc, join_pointer(pointer, "parameters")
            )
            body, bdoc, bpointer = self.follow(
                op.get("requestBody"), doc, join_pointer(pointer, "requestBody")
            )
            if isinstance(body, dict):
                yield from self._content(
                    body.get("content"), bdoc, join_pointer(bpointer, "content")
                )
            yield from self._responses(op.get("responses"), doc, join_pointer(pointer, "responses"))
        components = data.get("components")
        if not isinstance(components, dict):
            return
        for section, items in components.items():
            if not isinstance(items, dict):
                continue
            for name, item in items.items():
                here = join_pointer("/components", section, name)
                if section == "schemas":
                    yield from self.schema_examples(item, root, here)
                elif section in ("parameters", "headers"):
                    yield from self._with_schema(item, root, here)
                elif section == "requestBodies" and isinstance(item, dict):
                    yield from self._content(
                        item.get("content"), root, join_pointer(here, "content")
                    )
                elif section == "responses":
                    yield from self._responses(
                        {name: item}, root, join_pointer("/components", section)
                    )


class _AsyncAPIWalker(_Walker):
    def messages(self) -> Iterator[tuple[dict[str, Any], Document, str]]:
        """Every message (components and inline in channels), each real location once."""
        seen: set[tuple[str, str]] = set()
        for message, doc, pointer in self._message_refs():
            message, doc, pointer = self.follow(message, doc, pointer)
            if not isinstance(message, dict):
                continue
            key = (str(doc.path.resolve()), pointer)
            if key in seen:
                continue
            seen.add(key)
            if isinstance(message.get("oneOf"), list) and "payload" not in message:
                for index, sub in enumerate(message["oneOf"]):
                    sub, sdoc, spointer = self.follow(
                        sub, doc, join_pointer(pointer, "oneOf", index)
                    )
                    skey = (str(sdoc.path.resolve()), spointer)
                    if isinstance(sub, dict) and skey not in seen:
                        seen.add(skey)
                        yield sub, sdoc, spointer
                continue
            yield message, doc, pointer

    def _message_refs(self) -> Iterator[tuple[Any, Document, str]]:
        root = self.ctx.doc
        data = root.data
        components = data.get("components")
        if isinstance(components, dict) and isinstance(components.get("messages"), dict):
            for name, message in components["messages"].items():
                yield message, root, join_pointer("/components/messages", name)
        channels = data.get("channels")
        if not isinstance(channels, dict):
            return
        for channel_name, channel in channels.items():
            channel, doc, pointer = self.follow(
                channel, root, join_pointer("/channels", channel_name)
            )
            if not isinstance(channel, dict):
                continue
            for op_name in ("publish", "subscribe"):  # AsyncAPI 2.x
                op = channel.get(op_name)
                if isinstance(op, dict) and "message" in op:
                    yield op["message"], doc, join_pointer(pointer, op_name, "message")
            if isinstance(channel.get("messages"), dict):  # AsyncAPI 3.0
                for name, message in channel["messages"].items():
                    yield message, doc, join_pointer(pointer, "messages", name)

    def payload_schema(
        self, message: dict[str, Any], doc: Document, pointer: str, part: str
    ) -> tuple[Any, Document, str] | None:
        """The JSON schema of a message's `payload`/`headers`, or None if it is not JSON Schema."""
        if part not in message:
            return None
        schema_format = message.get("schemaFormat")
        schema, sdoc, spointer = self.follow(message[part], doc, join_pointer(pointer, part))
        if isinstance(schema, dict) and "schemaFormat" in schema and "schema" in schema:  # 3.0
            schema_format = schema["schemaFormat"]
            schema, sdoc, spointer = self.follow(
                schema["schema"], sdoc, join_pointer(spointer, "schema")
            )
        if schema_format is not None and not _is_json_schema_format(schema_format):
            return None
        if not isinstance(schema, (dict, bool)):
            return None
        return schema, sdoc, spointer

    def examples(self) -> Iterator[ExampleCheck]:
        root = self.ctx.doc
        data = root.data
        components = data.get("components")
        if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
            for name, schema in components["schemas"].items():
                yield from self.schema_examples(
                    schema, root, join_pointer("/components/schemas", name)
                )
        channels = data.get("channels")
        if isinstance(channels, dict):
            for channel_name, channel in channels.items():
                channel, doc, pointer = self.follow(
                    channel, root, join_pointer("/channels", channel_name)
                )
                if isinstance(channel, dict) and isinstance(channel.get("parameters"), dict):
                    for pname, param in channel["parameters"].items():
                        param, pdoc, ppointer = self.follow(
                            param, doc, join_pointer(pointer, "parameters", pname)
                        )
                        if isinstance(param, dict) and "schema" in param:
                            yield from self.schema_examples(
                                param["schema"], pdoc, join_pointer(ppointer, "schema")
                            )
        for message, doc, pointer in self.messages():
            parts = {
                part: self.payload_schema(message, doc, pointer, part)
                for part in ("payload", "headers")
            }
            for located in parts.values():
                if located is not None:
                    yield from self.schema_examples(*located)
            examples = message.get("examples")
            if not isinstance(examples, list):
                continue
            for index, example in enumerate(examples):
                example, edoc, epointer = self.follow(
                    example, doc, join_pointer(pointer, "examples", index)
                )
                if not isinstance(example, dict):
                    continue
                for part, located in parts.items():
                    if part in example and located is not None:
                        yield ExampleCheck(
                            example[part], edoc, join_pointer(epointer, part), *located
                        )


def _is_json_schema_format(schema_format: Any) -> bool:
    if not isinstance(schema_format, str):
        return False
    return schema_format.startswith(
        ("application/vnd.aai.asyncapi", "application/schema+json", "application/schema+yaml")
    )


# --------------------------------------------------------------------------------------------
# our own rules


def _check_openapi_rules(ctx: _Context) -> list[Problem]:
    walker = _OpenAPIWalker(ctx)
    problems: list[Problem] = []
    for path, method, op, doc, pointer in walker.operations():
        if not isinstance(op.get("operationId"), str) or not op["operationId"]:
            problems.append(
                _problem(ctx, doc, pointer, f"{method.upper()} {path} has no operationId", "policy")
            )
        if not _has_response_example(walker, op, doc, pointer):
            problems.append(
                _problem(
                    ctx,
                    doc,
                    join_pointer(pointer, "responses"),
                    f"{method.upper()} {path} has no response example: give a response media type "
                    "an `example` or `examples`",
                    "policy",
                )
            )
    problems.extend(_check_nullable(ctx))
    problems.extend(_check_examples(ctx, walker.examples()).problems)
    return problems


def _check_nullable(ctx: _Context) -> list[Problem]:
    """`nullable: true` only means something next to `type`, and only in OpenAPI 3.0."""
    problems: list[Problem] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if node.get("nullable") is True and (ctx.kind.version != "3.0" or "type" not in node):
                here = join_pointer(pointer, "nullable")
                if ctx.kind.version == "3.0":
                    message = (
                        "`nullable: true` has no effect without `type` in the same schema "
                        "(OpenAPI 3.0.3): add `type`"
                    )
                else:
                    message = "`nullable` is not a keyword in OpenAPI 3.1: add 'null' to `type`"
                problems.append(_problem(ctx, ctx.doc, here, message, "rules"))
            for key, value in node.items():
                if key not in _NOT_SPEC:
                    visit(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, join_pointer(pointer, index))

    visit(ctx.doc.data, "")
    return problems


def _has_response_example(
    walker: _OpenAPIWalker, op: dict[str, Any], doc: Document, pointer: str
) -> bool:
    responses, rdoc, rpointer = walker.follow(
        op.get("responses"), doc, join_pointer(pointer, "responses")
    )
    if not isinstance(responses, dict):
        return False
    for code, response in responses.items():
        response, _, _ = walker.follow(response, rdoc, join_pointer(rpointer, code))
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict):
            continue
        for media_type in content.values():
            if isinstance(media_type, dict) and (
                "example" in media_type
                or (isinstance(media_type.get("examples"), dict) and media_type["examples"])
            ):
                return True
    return False


def _check_asyncapi_rules(ctx: _Context) -> list[Problem]:
    walker = _AsyncAPIWalker(ctx)
    problems: list[Problem] = []
    data = ctx.doc.data
    rpc = "x-rpc" in data
    messages = list(walker.messages())
    components = data.get("components") if isinstance(data.get("components"), dict) else {}
    component_messages = components.get("messages") if isinstance(components, dict) else None
    message_keys = set(component_messages) if isinstance(component_messages, dict) else set()
    wire_names: set[str] = set()
    for message, _, _ in messages:
        method = message.get("x-rpc-method")
        if isinstance(method, dict) and isinstance(method.get("name"), str):
            wire_names.add(method["name"])
    for message, doc, pointer in messages:
        if not _has_message_examples(walker, message, doc, pointer):
            problems.append(_problem(ctx, doc, pointer, "message has no examples", "policy"))
        method = message.get("x-rpc-method")
        if rpc and method is None:
            problems.append(
                _problem(
                    ctx,
                    doc,
                    pointer,
                    "message has no x-rpc-method (required on every message of an x-rpc API)",
                    "rules",
                )
            )
        if not isinstance(method, dict):
            continue
        here = join_pointer(pointer, "x-rpc-method")
        reply = method.get("reply")
        if isinstance(reply, str) and reply not in message_keys:
            problems.append(
                _problem(
                    ctx,
                    doc,
                    join_pointer(here, "reply"),
                    f"reply message {reply!r} is not in components/messages",
                    "rules",
                )
            )
        for field in ("push", "unsubscribe"):
            value = method.get(field)
            if isinstance(value, str) and value not in wire_names:
                problems.append(
                    _problem(
                        ctx,
                        doc,
                        join_pointer(here, field),
                        f"no message has x-rpc-method.name {value!r}",
                        "rules",
                    )
                )
    problems.extend(_check_examples(ctx, walker.examples()).problems)
    return problems


def _has_message_examples(
    walker: _AsyncAPIWalker, message: dict[str, Any], doc: Document, pointer: str
) -> bool:
    if isinstance(message.get("examples"), list) and message["examples"]:
        return True
    traits = message.get("traits")
    if isinstance(traits, list):
        for index, trait in enumerate(traits):
            trait, _, _ = walker.follow(trait, doc, join_pointer(pointer, "traits", index))
            if (
                isinstance(trait, dict)
                and isinstance(trait.get("examples"), list)
                and trait["examples"]
            ):
                return True
    return False


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
        out.append(_problem(ctx, doc, where, f"{name}: {_error_message(error)}", "rules"))
    return out


_NOT_SPEC = ("example", "examples", "default", "enum", "const")


def _check_extensions(ctx: _Context) -> list[Problem]:
    doc, data = ctx.doc, ctx.doc.data
    problems: list[Problem] = []

    def check(obj: Any, odoc: Document, pointer: str, where: str) -> None:
        if not isinstance(obj, dict):
            return
        for key, definition in X_EXTENSIONS[where].items():
            if key in obj:
                problems.extend(
                    _check_extension(ctx, odoc, join_pointer(pointer, key), obj[key], definition)
                )

    if ctx.kind.family == "openapi":
        check(data, doc, "", "openapi-root")
        walker = _OpenAPIWalker(ctx)
        for path, method, op, odoc, pointer in walker.operations():
            check(op, odoc, pointer, "openapi-operation")
            if op.get("x-signed") is True and "x-signature" not in data:
                problems.append(
                    _problem(
                        ctx,
                        odoc,
                        join_pointer(pointer, "x-signed"),
                        f"{method.upper()} {path} is x-signed but the document has no x-signature",
                        "rules",
                    )
                )
    else:
        check(data, doc, "", "asyncapi-root")
        for message, mdoc, pointer in _AsyncAPIWalker(ctx).messages():
            check(message, mdoc, pointer, "asyncapi-message")

    def anywhere(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
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


# --------------------------------------------------------------------------------------------
# Spectral


class SpectralError(Exception):
    """Spectral is missing, timed out or crashed."""


def spectral_bin(near: str | os.PathLike[str] | None = None) -> Path:
    """Spectral's executable (see generator/tools.py for where it is looked for)."""
    found = tools.node_tool("spectral", near)
    return found if found is not None else Path("node_modules", ".bin", "spectral")


def spectral_lint(
    path: str | os.PathLike[str], *, timeout: float = SPECTRAL_TIMEOUT
) -> list[dict[str, Any]]:
    """Spectral's raw JSON results for one file (with the root `.spectral.yaml`)."""
    exe = spectral_bin(path)
    if not exe.exists():
        raise SpectralError(f"Spectral is not installed ({tools.NOT_FOUND_HINT}): run `make deps`")
    cmd = [
        str(exe), "lint", "--quiet", "--format", "json",
        "--ruleset", str(SPECTRAL_RULESET), str(Path(path).resolve()),
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise SpectralError(f"Spectral did not finish within {timeout:g}s") from None
    except OSError as exc:
        raise SpectralError(f"cannot run Spectral ({exc.strerror}): run `make deps`") from None
    text = proc.stdout.strip()
    try:
        results, _ = json.JSONDecoder().raw_decode(text) if text else (None, 0)
    except json.JSONDecodeError:
        results = None
    if not isinstance(results, list):
        detail = (proc.stderr.strip() or text or f"exit status {proc.returncode}").splitlines()
        raise SpectralError("Spectral failed: " + " | ".join(detail[-5:]))
    return [r for r in results if isinstance(r, dict)]


def spectral_problems(doc: Document) -> list[Problem]:
    """Spectral errors and warnings as problems (errors in strict mode; info/hint are dropped)."""
    try:
        results = spectral_lint(doc.path)
    except SpectralError as exc:
        return [doc.problem("", str(exc), "spectral")]
    problems = []
    own = doc.path.resolve()
    for result in results:
        severity = result.get("severity", 0)
        if severity not in (0, 1):
            continue
        raw_path = result.get("path")
        pointer = join_pointer("", *raw_path) if isinstance(raw_path, list) else ""
        source = result.get("source")
        start = (result.get("range") or {}).get("start") or {}
        raw_line = start.get("line")
        line = raw_line + 1 if isinstance(raw_line, int) else None
        if not source or Path(source).resolve() == own:
            file = doc.name
            line = line or doc.line_of(pointer)
        else:
            file = _relative(source)
        kind = "error" if severity == 0 else "warning"
        message = f"{result.get('message', '').strip()} (Spectral {kind})"
        problems.append(
            Problem(file, line, pointer, message, f"spectral:{result.get('code', '?')}")
        )
    return problems
