"""JSON Schema error collapsing: the cause worth showing for noisy oneOf/anyOf errors."""

from __future__ import annotations

import ast
import copy
import re
from collections import deque
from typing import Any

from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]

from generator.validate.common import _short


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
