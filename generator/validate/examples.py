"""Every example valid against its schema: OpenAPI/AsyncAPI schema -> plain JSON Schema."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from generator.document import Example
from generator.document.common import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONE
from generator.load import Document, Resolver
from generator.problems import Problem, Severity, Source, SpecError, join_pointer
from generator.validate.collapse import _schema_errors
from generator.validate.common import (
    _Context,
    _display_name,
    _error_message,
    _follow,
    _problem,
)
from generator.validate.kind import detect_kind

WARNING = Severity.WARNING  # an example that does not fit its schema is beyond the standard
_EXAMPLE = f"{Source.RULES}:example"  # the rule, printed `[rules:example]` (repeats fold)

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
        key = (target_doc.key, target_pointer)
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
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {
                    k: self.convert(v, doc, join_pointer(here, k)) for k, v in value.items()
                }
            elif key in SCHEMA_ONE:
                out[key] = self.convert(value, doc, here)
            elif key in SCHEMA_LISTS and isinstance(value, list):
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

    @classmethod
    def of(cls, example: Example) -> ExampleCheck:
        assert example.schema is not None
        loc, schema = example.location, example.schema
        return cls(
            example.value, loc.doc, loc.pointer, schema.value, schema.location.doc,
            schema.location.pointer,
        )  # fmt: skip


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
    bundler: _SchemaBundler | None = ctx.bundlers.get(dialect)
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
                problems.append(
                    _problem(ctx, check.doc, check.pointer, message, Source.RULES, WARNING)
                )
                continue
            errors = _schema_errors(validator, check.value)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        except Exception as exc:  # noqa: BLE001 - a schema jsonschema cannot apply
            message = f"cannot check the example against its schema ({schema_at}): {exc!r}"
            problems.append(_problem(ctx, check.doc, check.pointer, message, Source.RULES, WARNING))
            continue
        for error in errors:
            pointer = join_pointer(check.pointer, *error.absolute_path)
            message = f"example does not match its schema ({schema_at}): {_error_message(error)}"
            problems.append(_problem(ctx, check.doc, pointer, message, _EXAMPLE, WARNING))
    return ExampleReport(count, problems)


def _iter_examples(ctx: _Context) -> Iterator[ExampleCheck]:
    for example in ctx.model.examples:
        if example.schema is not None:
            yield ExampleCheck.of(example)
