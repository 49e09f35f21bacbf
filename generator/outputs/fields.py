"""Schema tables of the reference docs: a JSON schema of the document model flattened into one
row per field, nested fields named by their path (`result.orders[].id`, `params[0]`, `result.*`).

`allOf` branches are merged (a property declared twice keeps the later type and the first
description it finds), a `null` branch of `anyOf`/`oneOf` (or OpenAPI 3.0 `nullable`) makes a
field "or null", and the fields of several other branches are listed together. Enums, `const`
and `default` go into the description. `$ref` cycles stop at the repeated schema, and an object
schema used twice in one table lists its fields under its first use only.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from typing import Any

from generator.document import Schema
from generator.load import Document, Resolver
from generator.model.enums import EnumSpec, enum_spec
from generator.outputs.common import one_line
from generator.problems import SpecError, join_pointer

MAX_DEPTH = 10

_Node = tuple[Any, Document, str]  # a schema value and where it is


@dataclass(frozen=True)
class FieldRow:
    name: str  # path from the table's root
    type: str
    required: bool | None  # None: not a property (array items, map values)
    description: str  # one Markdown line, `|` escaped
    depth: int


@dataclass
class _Shape:
    """A schema with its `$ref`s followed, `allOf` merged and `null` branches dropped."""

    kinds: list[str] = field(default_factory=list)
    format: str = ""
    description: str = ""
    title: str = ""
    nullable: bool = False
    facts: dict[str, Any] = field(default_factory=dict)  # enum, const, default
    properties: dict[str, list[_Node]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: _Node | None = None
    positional: list[_Node] = field(default_factory=list)
    min_items: int = 0
    additional: _Node | None = None
    variants: list[_Shape] = field(default_factory=list)
    recursive: bool = False


def _json(value: Any) -> str:
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


class Flattener:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        # rows by (file, pointer) of the followed root, prefix, depth: operations share schemas
        self.memo: dict[tuple[str, str, str, int], list[FieldRow]] = {}

    def _follow(self, node: _Node) -> _Node | None:
        try:
            found = self.resolver.follow(*node)
        except SpecError:
            return None
        return found.value, found.doc, found.pointer

    def shape(self, nodes: list[_Node], stack: frozenset[tuple[str, str]]) -> _Shape:
        """One shape of every schema in `nodes` (all of which apply)."""
        out = _Shape()
        for node in nodes:
            self._merge(out, node, stack)
        return out

    def _merge(self, out: _Shape, node: _Node, stack: frozenset[tuple[str, str]]) -> None:
        found = self._follow(node)
        if found is None or not isinstance(found[0], dict):
            return
        value, doc, pointer = found
        key = (str(doc.path), pointer)
        out.description = out.description or str(value.get("description") or "")
        out.title = out.title or str(value.get("title") or "")
        kind = value.get("type")
        for k in kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []:
            if k == "null":
                out.nullable = True
            elif k not in out.kinds:
                out.kinds.append(k)
        if value.get("nullable") is True:
            out.nullable = True
        out.format = out.format or str(value.get("format") or "")
        for fact in ("enum", "const", "default"):
            if fact in value and fact not in out.facts:
                out.facts[fact] = value[fact]
        spec = enum_spec(value)
        if spec is not None and "codes" not in out.facts:
            out.facts["codes"] = spec
        if key in stack:  # a cycle: the type, not its fields again
            out.recursive = True
            return
        stack = stack | {key}
        all_of = value.get("allOf")
        for i, branch in enumerate(all_of if isinstance(all_of, list) else []):
            self._merge(out, (branch, doc, join_pointer(pointer, "allOf", i)), stack)
        props = value.get("properties")
        for name, sub in props.items() if isinstance(props, dict) else []:
            where = join_pointer(pointer, "properties", name)
            out.properties.setdefault(str(name), []).append((sub, doc, where))
        required = value.get("required")
        if isinstance(required, list):
            out.required.update(str(r) for r in required if isinstance(r, str))
        if isinstance(value.get("minItems"), int):
            out.min_items = max(out.min_items, value["minItems"])
        items = value.get("prefixItems", value.get("items"))
        key_items = "prefixItems" if "prefixItems" in value else "items"
        if isinstance(items, list):
            out.positional = [
                (item, doc, join_pointer(pointer, key_items, i)) for i, item in enumerate(items)
            ]
        elif isinstance(items, dict):
            out.items = (items, doc, join_pointer(pointer, "items"))
        extra = value.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out.additional = (extra, doc, join_pointer(pointer, "additionalProperties"))
        for union in ("anyOf", "oneOf"):
            branches = value.get(union)
            if not isinstance(branches, list):
                continue
            shapes = [
                self.shape([(b, doc, join_pointer(pointer, union, i))], stack)
                for i, b in enumerate(branches)
            ]
            real = [s for s in shapes if not _is_null(s)]
            if len(real) < len(shapes):
                out.nullable = True
            if len(real) == 1:
                self._absorb(out, real[0])
            else:
                out.variants.extend(real)

    @staticmethod
    def _absorb(out: _Shape, one: _Shape) -> None:
        out.description = out.description or one.description
        out.title = out.title or one.title
        out.kinds += [k for k in one.kinds if k not in out.kinds]
        out.format = out.format or one.format
        out.nullable = out.nullable or one.nullable
        for fact, value in one.facts.items():
            out.facts.setdefault(fact, value)
        for name, nodes in one.properties.items():
            out.properties.setdefault(name, []).extend(nodes)
        out.required |= one.required
        out.items = out.items or one.items
        out.positional = out.positional or one.positional
        out.min_items = max(out.min_items, one.min_items)
        out.additional = out.additional or one.additional
        out.variants += one.variants
        out.recursive = out.recursive or one.recursive

    # -------------------------------------------------------------- labels and rows

    def label(self, shape: _Shape, stack: frozenset[tuple[str, str]], depth: int = 0) -> str:
        if shape.variants and not shape.kinds:
            names = []
            for v in shape.variants:
                name = self.label(v, stack, depth + 1)
                if name not in names:
                    names.append(name)
            text = " or ".join(names)
        elif shape.format == "decimal":
            text = "decimal string" if shape.kinds in ([], ["string"]) else "decimal"
        elif "array" in shape.kinds or shape.items or shape.positional:
            if shape.positional:
                text = "array (positional)"
            elif shape.items and depth < 3:
                text = "array of " + self.label(self.shape([shape.items], stack), stack, depth + 1)
            else:
                text = "array"
        elif shape.additional and not shape.properties:
            inner = self.label(self.shape([shape.additional], stack), stack, depth + 1)
            text = "map of " + inner
        elif shape.kinds:
            text = " or ".join(shape.kinds)
        elif "const" in shape.facts:
            text = _const_kind(shape.facts["const"])
        elif "enum" in shape.facts:
            text = "enum"
        elif shape.properties:
            text = "object"
        else:
            text = "any"
        return text + " or null" if shape.nullable and not text.endswith("null") else text

    def describe(self, shape: _Shape, extra: str = "") -> str:
        parts = [p for p in (extra, shape.description.strip()) if p]
        enum = shape.facts.get("enum")
        codes = shape.facts.get("codes")
        if isinstance(codes, EnumSpec):  # x-enum-varnames: the members, by value
            named = ", ".join(f"{value} = {name}" for name, value, _ in codes.members)
            parts.append(("Bits: " if codes.flags else "Codes: ") + named + ".")
        elif isinstance(enum, list) and [v for v in enum if v is not None]:
            parts.append("One of " + ", ".join(_json(v) for v in enum) + ".")
        if "const" in shape.facts:
            parts.append("Always " + _json(shape.facts["const"]) + ".")
        if "default" in shape.facts:
            parts.append("Default: " + _json(shape.facts["default"]) + ".")
        if shape.recursive and not shape.properties:
            parts.append("(Recursive: as above.)")
        return one_line(" ".join(parts))

    def rows(self, root: _Node, prefix: str = "", depth: int = 0) -> list[FieldRow]:
        """The rows of every field below `root` (not `root` itself)."""
        found = self._follow(root)
        key = (str(found[1].path), found[2], prefix, depth) if found is not None else None
        if key is not None and key in self.memo:
            return list(self.memo[key])
        out: list[FieldRow] = []
        stack = self._keys([root])
        self._children(self.shape([root], frozenset()), prefix, depth, stack, out, set())
        if key is not None:
            self.memo[key] = out
        return list(out)

    def _row(
        self,
        out: list[FieldRow],
        seen: set[str],
        path: str,
        nodes: list[_Node],
        required: bool | None,
        depth: int,
        stack: frozenset[tuple[str, str]],
        extra: str = "",
    ) -> None:
        if path in seen:
            return
        seen.add(path)
        shape = self.shape(nodes, stack)
        out.append(
            FieldRow(path, self.label(shape, stack), required, self.describe(shape, extra), depth)
        )
        keys = self._keys(nodes)
        # an object schema's fields are listed once per table, under its first use: shared
        # schemas would otherwise make the table grow with the number of paths to them
        marks = {f"\0{file}#{pointer}" for file, pointer in keys} if shape.properties else set()
        if depth < MAX_DEPTH and not shape.recursive and not (marks and marks <= seen):
            seen |= marks
            self._children(shape, path, depth + 1, stack | keys, out, seen)

    def _keys(self, nodes: list[_Node]) -> frozenset[tuple[str, str]]:
        keys = set()
        for node in nodes:
            found = self._follow(node)
            if found is not None:
                keys.add((str(found[1].path), found[2]))
        return frozenset(keys)

    def _children(
        self,
        shape: _Shape,
        prefix: str,
        depth: int,
        stack: frozenset[tuple[str, str]],
        out: list[FieldRow],
        seen: set[str],
    ) -> None:
        dot = prefix + "." if prefix else ""
        for name, nodes in shape.properties.items():
            self._row(out, seen, dot + name, nodes, name in shape.required, depth, stack)
        for i, node in enumerate(shape.positional):
            item = self.shape([node], stack)
            title = f"`{item.title}`:" if item.title else ""
            self._row(out, seen, f"{prefix}[{i}]", [node], i < shape.min_items, depth, stack, title)
        if shape.items is not None:
            item = self.shape([shape.items], stack)
            if _worth_a_row(item):
                self._row(out, seen, prefix + "[]", [shape.items], None, depth, stack)
            else:
                inner = stack | self._keys([shape.items])
                self._children(item, prefix + "[]", depth, inner, out, seen)
        if shape.additional is not None:
            self._row(out, seen, dot + "*", [shape.additional], None, depth, stack, "Any key:")
        for variant in shape.variants:
            self._children(variant, prefix, depth, stack, out, seen)


def _worth_a_row(item: _Shape) -> bool:
    """An array's items get a row of their own unless they are a plain object of fields."""
    if item.properties and not item.variants and not item.description:
        return False
    return bool(item.description or item.facts or item.positional or item.variants)


def _is_null(shape: _Shape) -> bool:
    enum = shape.facts.get("enum")
    if isinstance(enum, list) and enum and all(v is None for v in enum):
        return True
    return shape.nullable and not shape.kinds


def _const_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "any"


_FLATTENERS: weakref.WeakKeyDictionary[Resolver, Flattener] = weakref.WeakKeyDictionary()


def flattener(resolver: Resolver) -> Flattener:
    """The one Flattener of `resolver` (its memo serves every table of the docs)."""
    found = _FLATTENERS.get(resolver)
    if found is None:
        found = _FLATTENERS[resolver] = Flattener(resolver)
    return found


def schema_rows(schema: Schema | None, resolver: Resolver, prefix: str = "") -> list[FieldRow]:
    """The field rows of a document-model schema (none without one)."""
    if schema is None:
        return []
    where = schema.location
    return flattener(resolver).rows((schema.value, where.doc, where.pointer), prefix)
