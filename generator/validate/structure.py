"""Structure: openapi-spec-validator, and the official AsyncAPI JSON Schemas (vendored).

The JSON Schema pass (the document against the official schema of its version) first asks a
compiled validator (jsonschema-rs) whether the document is valid at all: most are, and it answers
in milliseconds. Only a document it rejects (or cannot read) goes through jsonschema, whose
errors carry the paths our problems are located by. openapi-spec-validator's semantic pass runs
on every valid document, as before.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import referencing
import referencing.jsonschema
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]

from generator.document.common import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONE
from generator.load import Document
from generator.problems import Problem, Source, SpecError, join_pointer
from generator.validate.collapse import _schema_errors
from generator.validate.common import (
    SCHEMAS_DIR,
    _Context,
    _error_message,
    _follow,
    _problem,
    _short,
)


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
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                for name in _ID_LISTS:  # its lists of schemas seen: set-backed, else O(n^2)
                    if isinstance(getattr(self, name, None), list):
                        setattr(self, name, _IdList(getattr(self, name)))

            def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
                where = next((a for a in args if isinstance(a, SchemaPath)), None)
                try:
                    found = list(super().__call__(*args, **kwargs))
                except _Crash:
                    raise
                except Exception as exc:
                    # the innermost keyword that crashed says where (see _check_openapi_structure)
                    raise _Crash(exc, tuple(where.parts) if where is not None else ()) from exc
                for err in found:
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
    if version == "3.0":
        keyword_validators["schema"] = _fast_meta(keyword_validators["schema"])
    return type("Located" + base.__name__, (base,), {"keyword_validators": keyword_validators})


def _fast_meta(cls: type[Any]) -> type[Any]:
    """The schema keyword with its per-schema meta-schema check (`check_schema`, jsonschema: a
    third of the semantic pass) answered by jsonschema-rs when that finds the schema valid and
    every `pattern` string in it passes the check's own regex format checker; anything else goes
    through `check_schema` as before, so the errors are its own."""
    checker = cls.schema_validator_cls
    compiled = _compiled(dict(checker.META_SCHEMA))
    if compiled is None:
        return cls
    fast: Any = compiled
    is_regex = checker.FORMAT_CHECKER.checkers["regex"][0]

    def patterns_ok(value: Any) -> bool:
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, item in node.items():
                    if key == "pattern" and isinstance(item, str) and not is_regex(item):
                        return False
                    if isinstance(item, (dict, list)):
                        stack.append(item)
            elif isinstance(node, list):
                stack.extend(i for i in node if isinstance(i, (dict, list)))
        return True

    class FastMeta(cls):  # type: ignore[misc]
        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            try:
                if fast.is_valid(schema_value) and patterns_ok(schema_value):
                    return None
            except Exception:  # noqa: BLE001, S110 - a value it cannot take: jsonschema decides
                pass
            return super()._validate_schema_meta(schema, schema_value)

    FastMeta.__name__ = FastMeta.__qualname__ = cls.__name__
    return FastMeta


_ID_LISTS = ("visited_schema_ids", "meta_checked_schema_ids")  # SchemaValidator's


class _IdList(list[int]):
    """A list whose `in` is a set lookup (openapi-spec-validator tests membership per schema)."""

    def __init__(self, items: Iterable[int] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def append(self, item: int) -> None:
        self._members.add(item)
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _compiled(schema: dict[str, Any]) -> Any | None:
    """jsonschema-rs's validator of `schema` (formats not asserted, as jsonschema's), if it can."""
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema, validate_formats=False)
    except Exception:  # noqa: BLE001 - not installed or not compilable: jsonschema alone
        return None


@functools.cache
def _openapi_schema_validators(version: str) -> tuple[Any, Any | None]:
    """(jsonschema, jsonschema-rs) validators of the OpenAPI schema openapi-spec-validator bundles:
    the same jsonschema validator as its own `schema_validator` with the jsonschema backend."""
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    schema = dict(schema_v30 if version == "3.0" else schema_v31)
    return validator_for(schema)(schema), _compiled(schema)


def _structure_errors(full: Any, fast: Any | None, instance: Any) -> list[ValidationError]:
    """jsonschema's errors, skipped when the compiled validator finds the document valid."""
    if fast is not None:
        try:
            if fast.is_valid(instance):
                return []
        except Exception:  # noqa: BLE001, S110 - a value it cannot take: jsonschema decides
            pass
    return _schema_errors(full, instance)


def _check_openapi_structure(ctx: _Context) -> list[Problem]:
    cls = _openapi_validator_class(ctx.kind.version)
    validator = cls(ctx.doc.data, base_uri=ctx.doc.path.resolve().as_uri())
    problems: list[Problem] = []
    full, fast = _openapi_schema_validators(ctx.kind.version)
    for error in _structure_errors(full, fast, ctx.doc.data):
        pointer = join_pointer("", *error.absolute_path)
        problems.append(_problem(ctx, ctx.doc, pointer, _error_message(error), Source.OPENAPI))
    if problems or ctx.broken_refs:
        return problems  # the semantic pass assumes a well-formed, resolvable document
    try:
        for error in validator.root_validator(validator.schema_path):
            parts = getattr(error, "generator_parts", None) or ()
            doc, pointer = _locate(ctx, parts)
            problems.append(_problem(ctx, doc, pointer, _error_message(error), Source.OPENAPI))
    except _Crash as crash:  # the validator crashed on this node: say where
        doc, pointer = _locate(ctx, crash.parts)
        found = _not_a_schema(ctx, doc, pointer)
        if found is not None:
            doc, pointer, value = found
            message = f"{_short(value)} is not a schema (a mapping or a boolean)"
        else:
            cause = crash.cause
            message = (
                f"openapi-spec-validator cannot check this node ({type(cause).__name__}: {cause})"
            )
        problems.append(_problem(ctx, doc, pointer, message, Source.OPENAPI))
    return problems


class _Crash(Exception):
    """openapi-spec-validator failed inside the keyword validating the node at `parts`."""

    def __init__(self, cause: Exception, parts: tuple[Any, ...]) -> None:
        super().__init__(str(cause))
        self.cause, self.parts = cause, parts


def _not_a_schema(ctx: _Context, doc: Document, pointer: str) -> tuple[Document, str, Any] | None:
    """The first subschema under the schema at doc#pointer (across `$ref`s) that is not one."""
    seen: set[tuple[str, str]] = set()
    try:
        todo = [(doc, pointer, ctx.resolver.lookup(doc, pointer))]
    except KeyError:
        return None
    while todo:
        doc, pointer, node = todo.pop()
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            try:
                node, doc, pointer = _follow(ctx, node, doc, pointer)
            except SpecError:
                continue
        if (str(doc.path), pointer) in seen:
            continue
        seen.add((str(doc.path), pointer))
        if not isinstance(node, (dict, bool)):
            return doc, pointer, node
        subs: list[tuple[str, Any]] = []
        for key, value in node.items() if isinstance(node, dict) else ():
            if key in SCHEMA_MAPS and isinstance(value, dict):
                subs += [(join_pointer(pointer, key, k), v) for k, v in value.items()]
            elif key in SCHEMA_ONE or (key == "items" and not isinstance(value, list)):
                subs.append((join_pointer(pointer, key), value))
            elif key in (*SCHEMA_LISTS, "items") and isinstance(value, list):
                subs += [(join_pointer(pointer, key, i), v) for i, v in enumerate(value)]
        todo += [(doc, where, value) for where, value in reversed(subs)]
    return None


@functools.cache
def asyncapi_validator(version: str) -> Any:
    """A Draft 7 validator for the vendored official schema of one AsyncAPI version."""
    schema = json.loads((SCHEMAS_DIR / "asyncapi" / f"{version}.json").read_text(encoding="utf-8"))
    resource = referencing.Resource.from_contents(
        schema, default_specification=referencing.jsonschema.DRAFT7
    )
    registry: referencing.Registry[Any] = (resource @ referencing.Registry()).crawl()
    return jsonschema.Draft7Validator(schema, registry=registry)


_META = "http://json-schema.org/"


@functools.cache
def _asyncapi_compiled(version: str) -> Any | None:
    """jsonschema-rs's validator of the vendored AsyncAPI schema. The schema embeds its own copy
    of the Draft 7 meta-schema (stricter than the published one: a non-empty `enum`), which
    jsonschema uses and jsonschema-rs would replace by its built-in one: the copy is renamed."""
    schema = json.loads((SCHEMAS_DIR / "asyncapi" / f"{version}.json").read_text(encoding="utf-8"))
    embedded = tuple(k for k in schema.get("definitions", {}) if k.startswith(_META))

    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: _renamed(v, embedded) if k in ("$ref", "$id") else rename(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rename(v) for v in node]
        return node

    return _compiled(rename(schema))


def _renamed(uri: Any, embedded: tuple[str, ...]) -> Any:
    if isinstance(uri, str):
        for base in embedded:
            if uri == base or uri.startswith((base + "#", base + "/")):
                return "urn:embedded:" + uri.removeprefix(_META)
    return uri


def _check_asyncapi_structure(ctx: _Context) -> list[Problem]:
    validator = asyncapi_validator(ctx.kind.version)
    problems = []
    fast = _asyncapi_compiled(ctx.kind.version)
    for error in _structure_errors(validator, fast, ctx.doc.data):
        pointer = join_pointer("", *error.absolute_path)
        problems.append(_problem(ctx, ctx.doc, pointer, _error_message(error), Source.ASYNCAPI))
    return problems
