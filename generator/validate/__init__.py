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
* ``spectral:<rule>``: Spectral with the root `.spectral.yaml` (only when `external=True`). When
  Spectral is not installed, one ``note`` for the whole run names the rulesets it skipped.

Sources are `generator.problems.Source`; every check reads the document model
(`generator.document`), built once per document. What breaks the standard is an error; what goes
beyond it is a warning: an example that does not match its schema, `nullable` misuse, our
authoring rules (``policy``) and Spectral's errors and warnings (its info and hints are not
reported). Problems go to one `Diagnostics` collector: `lenient=True` reports every error as a
warning, `strict=True` every warning as an error.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.document import AsyncAPIModel, OpenAPIModel, model_of
from generator.load import Document, Located, Resolver, load_document
from generator.problems import Diagnostics, Problem, Severity, Source, SpecError, apply_policy
from generator.validate.collapse import collapse
from generator.validate.common import _Context
from generator.validate.examples import ExampleCheck, ExampleReport, _validator_for, check_examples
from generator.validate.extensions import X_EXTENSIONS, _check_extensions
from generator.validate.kind import ASYNCAPI_SCHEMA_VERSIONS, SWAGGER_MESSAGE, Kind, detect_kind
from generator.validate.refs import _check_refs
from generator.validate.rules import _check_asyncapi_rules, _check_openapi_rules
from generator.validate.spectral import (
    SPECTRAL_RULESET,
    SPECTRAL_TIMEOUT,
    SpectralError,
    SpectralMissing,
    spectral_bin,
    spectral_lint,
    spectral_problems,
    spectral_skipped,
)
from generator.validate.structure import (
    _check_asyncapi_structure,
    _check_openapi_structure,
    asyncapi_validator,
)

__all__ = [
    "ASYNCAPI_SCHEMA_VERSIONS",
    "SPECTRAL_RULESET",
    "SPECTRAL_TIMEOUT",
    "SWAGGER_MESSAGE",
    "X_EXTENSIONS",
    "ExampleCheck",
    "ExampleReport",
    "Kind",
    "Operation",
    "SpectralError",
    "SpectralMissing",
    "_Context",
    "_validator_for",
    "asyncapi_messages",
    "asyncapi_validator",
    "check_examples",
    "collapse",
    "detect_kind",
    "finish",
    "openapi_operations",
    "spectral_bin",
    "spectral_lint",
    "spectral_problems",
    "spectral_skipped",
    "validate_document",
    "validate_files",
]


def validate_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    lenient: bool = False,
    strict: bool = False,
    external: bool = True,
    require_external: bool = False,
) -> list[Problem]:
    """Validate every file; returns all problems, sorted (see `Diagnostics` for `lenient` and
    `strict`).

    Without Spectral installed, its lint is skipped: one note says so, and nothing fails (unless
    `require_external`: then that note is an error)."""
    diagnostics = Diagnostics(lenient=lenient, strict=strict)
    skipped: list[Document] = []
    missing: SpectralMissing | None = None
    for path in paths:
        try:
            doc = load_document(Path(path))
        except SpecError as exc:
            diagnostics.extend(exc.problems)
            continue
        except RecursionError:  # load.py recurses: absurd nesting or a self-referencing YAML alias
            message = "cannot load: the YAML nests too deeply or an alias (*name) contains itself"
            diagnostics.add(Problem(str(path), None, "", message, Source.LOAD))
            continue
        found = validate_document(doc)
        diagnostics.extend(found)
        if external and not any(p.source is Source.KIND for p in found):
            try:
                diagnostics.extend(spectral_problems(doc))
            except SpectralMissing as exc:
                skipped.append(doc)
                missing = exc
    if missing is not None:
        note = spectral_skipped(skipped, missing)
        if require_external:
            note = dataclasses.replace(note, severity=Severity.ERROR)
        diagnostics.add(note)
    return diagnostics.result()


# Which step of `validate_document` runs which check; the name is the source of its crash report.
_Step = Callable[[_Context], list[Problem]]


def validate_document(
    doc: Document, *, lenient: bool = False, strict: bool = False, policy: bool = True
) -> list[Problem]:
    """The Python-only checks of one loaded document (no Node tools). Used by `generate` too.

    `policy=False` drops our authoring rules (every operation has an operationId and an example),
    which our own specs must follow but a third-party document need not.
    """
    diagnostics = Diagnostics(lenient=lenient, strict=strict)
    kind = detect_kind(doc)
    if isinstance(kind, Problem):
        diagnostics.add(kind)
        return diagnostics.result()
    ctx = _Context(doc, Resolver(doc), kind)
    steps: list[tuple[Source, _Step]] = [(Source.REFS, _check_refs)]
    if kind.family == "openapi":
        steps += [(Source.OPENAPI, _check_openapi_structure), (Source.RULES, _check_openapi_rules)]
    else:
        steps += [
            (Source.ASYNCAPI, _check_asyncapi_structure),
            (Source.RULES, _check_asyncapi_rules),
        ]
    steps += [(Source.RULES, _check_extensions)]
    for source, step in steps:
        try:
            found = step(ctx)
        except SpecError as exc:
            found = exc.problems
        except Exception as exc:  # noqa: BLE001 - never a traceback for any input
            found = [doc.problem("", f"could not finish the {source} checks: {exc!r}", source)]
        diagnostics.extend(p for p in found if policy or p.source is not Source.POLICY)
    return diagnostics.result()


def finish(
    problems: Iterable[Problem], *, lenient: bool = False, strict: bool = False
) -> list[Problem]:
    """Deduplicate, apply `lenient` or `strict` and sort."""
    return apply_policy(problems, lenient=lenient, strict=strict)


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
    model = model_of(doc)  # the one walk every stage shares
    if not isinstance(model, OpenAPIModel):
        return []
    return [
        Operation(op.path, op.method, op.raw, op.location.doc, op.location.pointer)
        for op in model.operations
    ]


def asyncapi_messages(doc: Document) -> list[Located]:
    """Every message of an AsyncAPI document (components and channels), each location once."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem) or kind.family != "asyncapi":
        return []
    model = model_of(doc)
    if not isinstance(model, AsyncAPIModel):
        return []
    return [Located(m.raw, m.location.doc, m.location.pointer) for m in model.messages]
