"""Every `$ref` must resolve (source ``load``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from generator.problems import Problem, Source, SpecError, join_pointer
from generator.validate.common import _Context, _problem, _relative


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
                        ctx,
                        ctx.doc,
                        join_pointer(pointer, "$ref"),
                        "$ref must be a string",
                        Source.LOAD,
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
                            Source.LOAD,
                        )
                    )
        except Exception as exc:  # noqa: BLE001 - e.g. a directory or an unreadable path
            problems.append(
                _problem(
                    ctx, ctx.doc, join_pointer(pointer, "$ref"), f"$ref {ref!r}: {exc}", Source.LOAD
                )
            )
    ctx.broken_refs = bool(problems)
    return problems
