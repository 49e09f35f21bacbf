"""Collects the schemas that become Python models, and names their Python types.

`SchemaCollector` copies schemas into a `ModelSet`, rewriting every `$ref` (local or in another
file) to `#/components/schemas/<PythonName>`, so the renderer can hand the set to
datamodel-code-generator as one self-contained document.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.load import Document, Resolver
from generator.model.ir import ModelSet, SchemaRef
from generator.naming import pascal, unique
from generator.problems import SpecError, join_pointer

COMPONENT_PREFIX = "#/components/schemas/"


class SchemaCollector:
    def __init__(self, resolver: Resolver, module: str) -> None:
        self.resolver = resolver
        self.models = ModelSet(module=module)
        self._names: dict[tuple[str, str], str] = {}  # (file, pointer) -> python name
        self._taken: set[str] = set()

    # -- registering -----------------------------------------------------------------------
    def add(self, schema: Any, doc: Document, pointer: str, name_hint: str) -> str:
        """Register the schema at doc#pointer under a Python name; returns that name."""
        key = (str(doc.path.resolve()), pointer)
        if key in self._names:
            return self._names[key]
        name = unique(pascal(name_hint), self._taken)
        self._names[key] = name
        self.models.schemas[name] = {}  # reserve first: schemas may be recursive
        self.models.schemas[name] = self._copy(schema, doc, pointer, name)
        return name

    def _copy(self, node: Any, doc: Document, pointer: str, owner: str) -> Any:
        if isinstance(node, list):
            return [self._copy(v, doc, join_pointer(pointer, i), owner) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            target = self.resolver.follow(node, doc, pointer)
            hint = target.pointer.rsplit("/", 1)[-1] or target.doc.path.stem
            name = self.add(target.value, target.doc, target.pointer, hint)
            siblings = {k: v for k, v in node.items() if k != "$ref" and k.startswith("x-")}
            return {"$ref": COMPONENT_PREFIX + name, **siblings}
        positional = node.get("x-positional")
        if isinstance(positional, list) and positional:
            return self._positional(node, positional, doc, pointer, owner)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("example", "examples") or (key.startswith("x-") and key != "x-also-number"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    prop: self._copy(sub, doc, join_pointer(pointer, key, prop), owner)
                    for prop, sub in value.items()
                }
            else:
                out[key] = self._copy(value, doc, join_pointer(pointer, key), owner)
        return out

    def _positional(
        self, node: dict[str, Any], items: list[Any], doc: Document, pointer: str, owner: str
    ) -> Any:
        """An array whose positions have names becomes an array_like struct model."""
        base = join_pointer(pointer, "x-positional")
        properties: dict[str, Any] = {}
        required: list[str] = []
        min_items = node.get("minItems", len(items))
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise SpecError([doc.problem(join_pointer(base, i), "needs a 'name' and a 'schema'")])
            schema = item.get("schema", {})
            properties[item["name"]] = self._copy(schema, doc, join_pointer(base, i, "schema"), owner)
            if i < min_items:
                required.append(item["name"])
        struct = {"type": "object", "properties": properties, "required": required}
        if "description" in node:
            struct["description"] = node["description"]
        key = (str(doc.path.resolve()), pointer)
        if key in self._names and self._names[key] == owner:
            self.models.positional.add(owner)
            return struct
        name = self._names.get(key) or unique(pascal(pointer.rsplit("/", 1)[-1] + "Row"), self._taken)
        self._names[key] = name
        self.models.positional.add(name)
        self.models.schemas[name] = struct
        return {"$ref": COMPONENT_PREFIX + name}

    def is_null(self, schema: Any, doc: Document) -> bool:
        """A schema that only admits JSON null."""
        node = self.resolver.deref(schema, doc)
        if not isinstance(node, dict):
            return False
        return node.get("type") == "null" or node.get("type") == ["null"] or node.get("enum") == [None]

    # -- naming types ----------------------------------------------------------------------
    def type_of(self, schema: Any, doc: Document, pointer: str, name_hint: str) -> SchemaRef:
        """The Python type for a value of this schema; objects and unions become models."""
        module = self.models.module
        located = self.resolver.follow(schema, doc, pointer)
        node = located.value
        nullable = _nullable(node)
        if _is_wrapper(node):  # {allOf: [X], nullable: true} is X, maybe null
            inner = self.type_of(node["allOf"][0], located.doc, join_pointer(located.pointer, "allOf", 0), name_hint)
            return _ref(inner.decode_type, nullable or inner.nullable)
        for key in ("anyOf", "oneOf"):  # {anyOf: [X, null]} is X, maybe null
            branches = node.get(key) if isinstance(node, dict) else None
            if isinstance(branches, list):
                kept = [i for i, b in enumerate(branches) if not self.is_null(b, located.doc)]
                if len(kept) == 1 and len(branches) > 1:
                    where = join_pointer(located.pointer, key, kept[0])
                    inner = self.type_of(branches[kept[0]], located.doc, where, name_hint)
                    return _ref(inner.decode_type, True)
        if isinstance(schema, dict) and "$ref" in schema:
            name = self.add(node, located.doc, located.pointer, located.pointer.rsplit("/", 1)[-1])
            return _ref(f"{module}.{name}", nullable)
        simple = scalar_type(node)
        if simple is not None:
            return _ref(simple, nullable)
        name = self.add(node, located.doc, located.pointer, name_hint)
        return _ref(f"{module}.{name}", nullable)


def _ref(py: str, nullable: bool) -> SchemaRef:
    return SchemaRef(f"{py} | None" if nullable else py, py, nullable)


_ANNOTATIONS = {"nullable", "description", "title", "example", "examples", "default", "readOnly", "writeOnly"}


def _is_wrapper(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and isinstance(node.get("allOf"), list)
        and len(node["allOf"]) == 1
        and all(k in _ANNOTATIONS or k == "allOf" or k.startswith("x-") for k in node)
    )


def _nullable(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    types = node.get("type")
    return bool(node.get("nullable")) or (isinstance(types, list) and "null" in types)


def scalar_type(node: Any) -> str | None:
    """`str`, `int`, `Decimal`... for simple schemas, None for anything that needs a model."""
    if not isinstance(node, dict):
        return "Any" if node is True or node == {} else None
    if any(k in node for k in ("oneOf", "anyOf", "allOf", "properties", "x-positional", "enum")):
        return None
    types = node.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        if len(non_null) != 1:
            return None
        types = non_null[0]
    fmt = node.get("format")
    if fmt == "decimal" and types in (None, "string", "number"):
        return "Decimal"
    if types == "string":
        if fmt == "decimal":
            return "Decimal"
        if fmt == "binary":
            return "bytes"
        return "str"
    if types == "integer":
        return "int"
    if types == "number":
        return "Decimal" if fmt == "decimal" else "float"
    if types == "boolean":
        return "bool"
    if types == "array" and not isinstance(node.get("items"), list):
        inner = scalar_type(node.get("items", {}))
        return f"list[{inner}]" if inner else None
    if types == "object" and "additionalProperties" in node and not node.get("properties"):
        extra = node["additionalProperties"]
        inner = "Any" if extra is True else scalar_type(extra)
        return f"dict[str, {inner}]" if inner else None
    if types is None and not node:
        return "Any"
    return None


def merged_properties(schema: Any, resolver: Resolver, doc: Document, pointer: str) -> dict[str, Any]:
    """`properties` of a schema with its allOf branches merged (later branches win)."""
    located = resolver.follow(schema, doc, pointer)
    node = located.value
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        return out
    for i, branch in enumerate(node.get("allOf", [])):
        out.update(merged_properties(branch, resolver, located.doc, join_pointer(located.pointer, "allOf", i)))
    for prop, sub in (node.get("properties") or {}).items():
        out[prop] = (sub, located.doc, join_pointer(located.pointer, "properties", prop))
    return out


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)
