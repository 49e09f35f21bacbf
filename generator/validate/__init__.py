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

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.load import Document, Resolver, load_document
from generator.problems import Problem, Severity, SpecError
from generator.validate.collapse import collapse
from generator.validate.common import _Context
from generator.validate.examples import ExampleReport, _validator_for, check_examples
from generator.validate.extensions import X_EXTENSIONS, _check_extensions
from generator.validate.kind import ASYNCAPI_SCHEMA_VERSIONS, SWAGGER_MESSAGE, Kind, detect_kind
from generator.validate.refs import _check_refs
from generator.validate.rules import _check_asyncapi_rules, _check_openapi_rules
from generator.validate.spectral import (
    SPECTRAL_RULESET,
    SPECTRAL_TIMEOUT,
    SpectralError,
    spectral_bin,
    spectral_lint,
    spectral_problems,
)
from generator.validate.structure import (
    _check_asyncapi_structure,
    _check_openapi_structure,
    asyncapi_validator,
)
from generator.validate.walkers import (
    ExampleCheck,
    Operation,
    asyncapi_messages,
    openapi_operations,
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
    "validate_document",
    "validate_files",
]


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


def validate_document(
    doc: Document, *, lenient: bool = False, policy: bool = True
) -> list[Problem]:
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
