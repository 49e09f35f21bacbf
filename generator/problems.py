"""Located problems: what went wrong, where (file, JSON pointer, line), and how bad."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    """ERROR: the document breaks its standard (or cannot be used); WARNING: a problem beyond the
    standard (an example that does not match its schema, our authoring rules, Spectral), reported
    but never a refusal unless `--strict`; NOTE: information, never fails a run."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # information (e.g. a check that was skipped): never fails a run


class Source(enum.StrEnum):
    """Which stage or check found a problem (printed as `[source]` or `[source:rule]`)."""

    LOAD = "load"  # the file cannot be read, or a `$ref` points at nothing
    YAML = "yaml"  # the YAML itself (duplicate keys)
    KIND = "kind"  # not an OpenAPI 3.0/3.1 or AsyncAPI 2.x/3.0 document
    OPENAPI = "openapi"  # openapi-spec-validator
    ASYNCAPI = "asyncapi"  # the official AsyncAPI JSON Schema
    RULES = "rules"  # our rules: examples, x- extensions, x-rpc-method references
    POLICY = "policy"  # authoring rules our own specs follow (operationIds, examples)
    REFS = "refs"  # the `$ref` check itself failed (its findings are `load`)
    SPECTRAL = "spectral"  # Spectral; `rule` names the Spectral rule
    MODEL = "model"  # building the intermediate model (REST)
    ASYNCAPI_MODEL = "asyncapi-model"  # building the intermediate model (WebSocket)
    RENDER = "render"  # templates, code generation, writing the output
    MOCK = "mock"  # the mock exchange
    CLI = "cli"  # command-line arguments
    GENERATOR = "generator"  # anything else (an unforeseen failure)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    pointer: str
    message: str
    source: Source | str = Source.GENERATOR  # which check found it; a str is parsed to Source
    severity: Severity = Severity.ERROR
    rule: str = ""  # the check's own rule name (Spectral's `code`)

    def __post_init__(self) -> None:
        if not isinstance(self.source, Source):
            name, _, rule = str(self.source).partition(":")
            object.__setattr__(self, "source", Source(name))
            if rule and not self.rule:
                object.__setattr__(self, "rule", rule)

    @property
    def label(self) -> str:
        """`source` or `source:rule`, as printed."""
        return f"{self.source}:{self.rule}" if self.rule else str(self.source)

    def __str__(self) -> str:
        """One line: `file:line: severity: /pointer: message [source]`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        message = re.sub(r"\s*\n\s*", " ", self.message.strip())
        return f"{where}: {self.severity.value}: {self.pointer or '/'}: {message} [{self.label}]"


def _sort_key(p: Problem) -> tuple[str, int, str, str, str, str]:
    return (p.file, p.line or 0, p.pointer, p.message, p.label, p.severity.value)


class Diagnostics:
    """The one collector of a run: stages add problems, `result()` applies the policy once.

    The policy: duplicates are dropped, problems are sorted by file, line and pointer; with
    `lenient` every error becomes a warning, with `strict` every warning becomes an error (notes
    stay notes). Whether a stage can go on after errors is the stage's business (`raise_errors`).
    """

    def __init__(self, *, lenient: bool = False, strict: bool = False) -> None:
        self.lenient = lenient
        self.strict = strict
        self._problems: list[Problem] = []

    def add(self, *problems: Problem) -> None:
        self._problems.extend(problems)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._problems.extend(problems)

    def __len__(self) -> int:
        return len(self._problems)

    def any(self, source: Source) -> bool:
        return any(p.source is source for p in self._problems)

    def result(self) -> list[Problem]:
        return apply_policy(self._problems, lenient=self.lenient, strict=self.strict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.result() if p.severity is Severity.ERROR]

    def raise_errors(self) -> None:
        """Raise SpecError with every error collected so far (after the policy), if any."""
        errors = self.errors
        if errors:
            raise SpecError(errors)


def apply_policy(
    problems: Iterable[Problem], *, lenient: bool = False, strict: bool = False
) -> list[Problem]:
    """Deduplicate, apply `lenient` (every error becomes a warning) or `strict` (every warning
    becomes an error) and sort: the one place `--lenient` and `--strict` are applied."""
    if lenient and strict:
        raise ValueError("lenient and strict exclude each other")
    turn = {Severity.ERROR: Severity.WARNING} if lenient else {}
    if strict:
        turn = {Severity.WARNING: Severity.ERROR}
    out = {
        dataclasses.replace(p, severity=turn[p.severity]) if p.severity in turn else p
        for p in problems
    }
    return sorted(out, key=_sort_key)


def fold_warnings(problems: list[Problem], keep: int = 3, shown: int = 5) -> list[Problem]:
    """The problems as printed without `--verbose`: the warnings of one rule (`source:rule`)
    that repeat more than `keep` times become one line, the first of them, with their count and
    the next `shown` locations. Errors and notes are never folded (`--strict` lists each)."""
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        if p.severity is Severity.WARNING and p.rule:
            groups.setdefault(p.label, []).append(p)
    out = []
    for p in problems:
        group = groups.get(p.label) if p.severity is Severity.WARNING and p.rule else None
        if group is None or len(group) <= keep:
            out.append(p)
        elif p is group[0]:
            rest = group[1:]
            where = [
                str(q.line) if q.file == p.file and q.line else f"{q.file}:{q.line or q.pointer}"
                for q in rest[:shown]
            ]
            more = ", ..." if len(rest) > shown else ""
            message = (
                f"{p.message} (and {len(rest)} more like it, at lines {', '.join(where)}{more}:"
                " --verbose lists each)"
            )
            out.append(dataclasses.replace(p, message=message))
    return out


class SpecError(Exception):
    """Raised with every problem collected by a stage; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.pointer, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: object) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    if pointer in ("", "#"):
        return []
    pointer = pointer.lstrip("#")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
