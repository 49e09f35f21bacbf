"""The whole pipeline: load -> validate -> model -> render -> write (`generate`).

Stages: `generator.load` and `generator.validate` (stages 1-2), `generator.model` (3: the
intermediate model, and `model.codegen` for the model modules), `generator.render` (4: templates,
formatting, the atomic write).
"""

from __future__ import annotations

import keyword
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.load import Document, Resolver, load_document
from generator.model.codegen import ModelError, ModelWorker
from generator.problems import Diagnostics, Problem, Severity, SpecError
from generator.render import BUILTIN_TEMPLATES, Project, write_atomically


def load_and_check(
    path: str,
    lenient: bool,
    expect: str | None = None,
    *,
    strict: bool = False,
    convert: bool = True,
    overlays: Sequence[str] = (),
) -> tuple[Document, Resolver, list[Problem]]:
    """Load and validate one document. Problems that make it unusable (not a supported document,
    or not the `expect`ed kind) are errors even when `lenient`; the others are warnings then.
    With `strict`, warnings (problems beyond the standard) are errors. With `convert`, a Swagger
    2.0 document is converted to OpenAPI 3 first (`generator.convert`), with one warning; then
    the `overlays` (OpenAPI Overlay 1.0 documents, `generator.overlay`) are applied in order."""
    from generator.validate import detect_kind, validate_document

    doc = load_document(path)
    diagnostics = Diagnostics(lenient=lenient, strict=strict)
    if convert and doc.kind == "swagger" and expect in (None, "openapi"):
        from generator.convert import convert_swagger

        doc, converted = convert_swagger(doc)
        diagnostics.add(converted)
    if overlays:
        from generator.overlay import apply_overlays

        doc, overlay_warnings = apply_overlays(doc, overlays)
        diagnostics.extend(overlay_warnings)
    kind = detect_kind(doc)
    if isinstance(kind, Problem):
        raise SpecError([kind])
    if expect is not None and kind.family != expect:
        option = "--openapi" if kind.family == "openapi" else "--asyncapi"
        raise SpecError(
            [
                doc.problem(
                    "",
                    f"this is an {'OpenAPI' if kind.family == 'openapi' else 'AsyncAPI'} "
                    f"document, not {'an OpenAPI' if expect == 'openapi' else 'an AsyncAPI'} "
                    f"one: pass it with {option}",
                    "kind",
                )
            ]
        )
    diagnostics.extend(validate_document(doc))
    diagnostics.raise_errors()
    resolver = Resolver(doc)
    if lenient:
        from generator.document import model_of

        checked = model_of(doc)  # built by the validators, with their resolver
        for each in {resolver, checked.resolver} if checked else {resolver}:
            each.read_leniently()
    return doc, resolver, diagnostics.result()


@dataclass
class Summary:
    """What one run generated: methods (REST operations, WebSocket methods and messages), the
    REST operations the document has, and the classes and aliases of the models module."""

    methods: int = 0
    operations: int = 0
    models: int = 0
    warnings: int = 0

    def __str__(self) -> str:
        dropped = self.operations > self.methods
        of = f" of {self.operations}" if dropped else ""
        return f"{self.methods}{of} operations, {self.models} models, {self.warnings} warnings"


def generate(
    *,
    openapi: str | None,
    asyncapi: str | None,
    out: Path,
    package: str,
    lenient: bool = False,
    strict: bool = False,
    templates: str | None = None,
    convert: bool = True,
    overlays: Sequence[str] = (),
    summary: Summary | None = None,
) -> list[Problem]:
    """Load, validate, model and render; returns the warnings. Raises SpecError on bad input.
    `overlays` apply to the OpenAPI document (see `load_and_check`).

    Nothing but a SpecError leaves this function for any input: an unexpected failure while
    modelling or rendering is reported as a problem located in the spec it came from (set
    GENERATOR_DEBUG=1 to get the exception instead). The output folder is replaced only once
    everything rendered (see write_atomically). Pass a `summary` to have it filled in."""
    from generator.model.openapi import build_rest_api
    from generator.model.types import TypeMapper

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
        raise SpecError(
            [
                Problem(
                    "<command line>",
                    None,
                    "",
                    f"--package {package!r} is not a valid module name "
                    "(lower-case letters, digits and underscores)",
                    "cli",
                )
            ]
        )
    diagnostics = Diagnostics(lenient=lenient, strict=strict)  # the warnings of every stage
    api = ws = None
    documents: dict[str, Document] = {}
    current: Document | None = None
    types: TypeMapper | None = None  # one mapper for both halves: one class per schema
    worker = ModelWorker()
    try:
        if openapi:
            doc, resolver, problems = load_and_check(
                openapi, lenient, "openapi", strict=strict, convert=convert, overlays=overlays
            )
            documents["openapi"] = current = doc
            types = TypeMapper(resolver)
            diagnostics.extend(problems)
            api, _ = build_rest_api(doc, resolver, package, types=types, diagnostics=diagnostics)
        if asyncapi:
            from generator.model.asyncapi import build_ws_api

            doc, resolver, problems = load_and_check(asyncapi, lenient, "asyncapi", strict=strict)
            documents["asyncapi"] = current = doc
            ws = build_ws_api(doc, resolver, package, types=types)
            diagnostics.extend(problems + ws.warnings)
        diagnostics.raise_errors()  # `strict`: a warning of any stage stops before writing
        project = Project(package, api, ws, Path(templates) if templates else None, documents)
        current = documents.get("openapi") or current
        files = project.render(worker)
        write_atomically(files, out)
    except SpecError:
        raise
    except ModelError as exc:
        raise SpecError(_model_problems(exc, current)) from None
    except jinja2.TemplateError as exc:
        where = (
            f" ({exc.filename}:{exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise SpecError(
            [
                Problem(
                    str(templates or BUILTIN_TEMPLATES),
                    None,
                    "",
                    f"template error{where}: {exc}",
                    "render",
                )
            ]
        ) from None
    except RecursionError:
        raise SpecError(
            [_internal(current, openapi or asyncapi, "the document nests too deeply")]
        ) from None
    except OSError as exc:
        raise SpecError(
            [Problem(str(out), None, "", f"cannot write the output folder: {exc}", "render")]
        ) from None
    except Exception as exc:  # any input: a located problem, never a traceback
        if os.environ.get("GENERATOR_DEBUG"):
            raise  # developers: see where it failed
        raise SpecError(
            [_internal(current, openapi or asyncapi, f"{type(exc).__name__}: {exc}")]
        ) from None
    finally:
        worker.close()
    warnings = diagnostics.result()
    if summary is not None:
        from generator.document import OpenAPIModel, model_of

        rest = model_of(documents["openapi"]) if "openapi" in documents else None
        summary.operations = len(rest.operations) if isinstance(rest, OpenAPIModel) else 0
        summary.methods = len(api.operations) if api else 0
        if ws is not None:
            summary.methods += sum(not m.internal for m in ws.methods)
            summary.methods += sum(len(c.sends) + len(c.receives) for c in ws.channels)
        models = api.models if api else ws.models if ws else None
        summary.models = len(models.schemas) if models else 0
        summary.warnings = sum(p.severity is Severity.WARNING for p in warnings)
    return warnings


def _model_problems(exc: ModelError, doc: Document | None) -> list[Problem]:
    if exc.origins:
        return [
            Problem(file, line, pointer, exc.message, "render")
            for file, pointer, line in exc.origins[:3]
        ]
    return [_internal(doc, None, exc.message)]


def _internal(doc: Document | None, path: str | None, message: str) -> Problem:
    """A failure we did not foresee, located at the document it happened on."""
    text = f"cannot generate from this document: {message.splitlines()[0] if message else 'unknown error'}"
    if doc is not None:
        return doc.problem("", text, "generator")
    return Problem(str(path or "<input>"), None, "", text, "generator")
