"""Shared pieces of the checks: the per-document context and how problems are located."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    SchemaError,
    ValidationError,
)

from generator.document import AsyncAPIModel, OpenAPIModel, model_of
from generator.load import Document, Resolver
from generator.problems import Problem, Severity
from generator.validate.kind import Kind

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
SCHEMAS_DIR = PACKAGE_DIR / "schemas"


@dataclass
class _Context:
    doc: Document
    resolver: Resolver
    kind: Kind
    broken_refs: bool = False
    # examples._SchemaBundler by dialect, shared (typed there: common must not import examples)
    bundlers: dict[str, Any] = field(default_factory=dict)
    _model: OpenAPIModel | AsyncAPIModel | None = None

    @property
    def model(self) -> OpenAPIModel | AsyncAPIModel:
        """The document model, built on first use and shared by every check."""
        if self._model is None:
            self._model = model_of(self.doc, self.resolver)
        assert self._model is not None, "a model is asked for only once the kind is known"
        return self._model

    @property
    def openapi(self) -> OpenAPIModel:
        model = self.model
        assert isinstance(model, OpenAPIModel)
        return model

    @property
    def asyncapi(self) -> AsyncAPIModel:
        model = self.model
        assert isinstance(model, AsyncAPIModel)
        return model


def _relative(path: str | os.PathLike[str]) -> str:
    """`path` relative to the working directory if it is inside it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _display_name(doc: Document, root: Document) -> str:
    return root.name if doc is root else _relative(doc.path)


def _problem(
    ctx: _Context,
    doc: Document,
    pointer: str,
    message: str,
    source: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    file, line = doc.origin(pointer)
    name = _display_name(doc, ctx.doc) if file == doc.name else _relative(file)
    return Problem(name, line, pointer, message, source, severity)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _error_message(error: ValidationError | SchemaError) -> str:
    """jsonschema's message, with a long repr of the instance shortened."""
    message = str(error.message)
    text = repr(error.instance)
    if len(text) > 80 and text in message:
        message = message.replace(text, _short(error.instance))
    return message


def _follow(ctx: _Context, value: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
    located = ctx.resolver.follow(value, doc, pointer)
    return located.value, located.doc, located.pointer


_NOT_SPEC = ("example", "examples", "default", "enum", "const")
