"""Schema helpers shared by the stages (the type mapper itself is generator/model/types.py).

`SchemaCollector` and `scalar_type` are the former names of `TypeMapper` and its scalar reader,
kept for callers that import them from here.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.load import Document, Resolver
from generator.model.types import COMPONENT_PREFIX, ORIGIN_KEY, RESERVED_NAMES, scalar_type
from generator.model.types import TypeMapper as SchemaCollector
from generator.problems import join_pointer

__all__ = [
    "COMPONENT_PREFIX",
    "ORIGIN_KEY",
    "RESERVED_NAMES",
    "SchemaCollector",
    "deep_copy",
    "merged_properties",
    "scalar_type",
]


def merged_properties(
    schema: Any, resolver: Resolver, doc: Document, pointer: str, _depth: int = 0
) -> dict[str, Any]:
    """`properties` of a schema with its allOf branches merged (later branches win)."""
    located = resolver.follow(schema, doc, pointer)
    node = located.value
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        return out
    all_of = node.get("allOf")
    for i, branch in enumerate(all_of if isinstance(all_of, list) else ()):
        if _depth < 20:
            where = join_pointer(located.pointer, "allOf", i)
            out.update(merged_properties(branch, resolver, located.doc, where, _depth + 1))
    properties = node.get("properties")
    for prop, sub in properties.items() if isinstance(properties, dict) else ():
        out[str(prop)] = (sub, located.doc, join_pointer(located.pointer, "properties", prop))
    return out


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)
