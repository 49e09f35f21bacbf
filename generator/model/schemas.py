"""Collects the schemas that become Python models, and names their Python types.

`SchemaCollector` copies schemas into a `ModelSet`, rewriting every `$ref` (local or in another
file) to `#/components/schemas/<PythonName>`, so the renderer can hand the set to
datamodel-code-generator as one self-contained document.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.load import Document, Located, Resolver
from generator.model.ir import ModelSet, SchemaRef
from generator.naming import pascal, unique
from generator.problems import SpecError, join_pointer, split_pointer

COMPONENT_PREFIX = "#/components/schemas/"
ORIGIN_KEY = "x-origin"  # [file, pointer, line] of each collected schema, for located problems
# Names the models module imports or Python reserves: a schema never takes one (datamodel-code-generator
# would rename the class, and the SDK's references to it would break).
RESERVED_NAMES = frozenset({
    "Annotated", "Any", "ClassVar", "Decimal", "Enum", "Field", "IntEnum", "Literal", "Meta", "NoneType",
    "Optional", "StrEnum", "Struct", "TypeAlias", "UNSET", "UUID", "Union", "UnsetType", "None", "True",
    "False", "NotImplemented", "Ellipsis", "List", "Dict", "Set", "Tuple", "Type", "Self",
})
_SKIPPED_KEYS = {"example", "examples", "$defs", "definitions", "$id", "$schema", "$anchor", "$comment"}


class SchemaCollector:
    def __init__(self, resolver: Resolver, module: str) -> None:
        self.resolver = resolver
        self.models = ModelSet(module=module)
        self._names: dict[tuple[str, str], str] = {}  # (file, pointer) -> python name
        self._taken: set[str] = set(RESERVED_NAMES)

    def name_of(self, doc: Document, pointer: str) -> str | None:
        """The Python name given to the schema at doc#pointer, if it was collected."""
        return self._names.get((str(doc.path.resolve()), pointer))

    # -- registering -----------------------------------------------------------------------
    def add(self, schema: Any, doc: Document, pointer: str, name_hint: str) -> str:
        """Register the schema at doc#pointer under a Python name; returns that name."""
        key = (str(doc.path.resolve()), pointer)
        if key in self._names:
            return self._names[key]
        base = pascal(name_hint)
        name = unique(base + "Model" if base in RESERVED_NAMES else base, self._taken)
        self._names[key] = name
        self.models.schemas[name] = {}  # reserve first: schemas may be recursive
        copied = self._copy(schema, doc, pointer, name)
        if not isinstance(copied, dict):  # `true`/`false` (3.1) or junk: anything
            copied = {}
        copied[ORIGIN_KEY] = [doc.name, pointer, doc.line_of(pointer)]
        self.models.schemas[name] = copied
        return name

    def _copy(self, node: Any, doc: Document, pointer: str, owner: str) -> Any:
        if isinstance(node, list):
            return [self._copy(v, doc, join_pointer(pointer, i), owner) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            target = self.resolver.follow(node, doc, pointer)
            name = self.add(target.value, target.doc, target.pointer, _hint(target))
            siblings = {k: v for k, v in node.items() if k != "$ref" and k.startswith("x-")}
            return {"$ref": COMPONENT_PREFIX + name, **siblings}
        positional = node.get("x-positional")
        if isinstance(positional, list) and positional:
            return self._positional(node, positional, doc, pointer, owner)
        out: dict[str, Any] = {}
        for key, value in node.items():
            key = str(key)
            if key in _SKIPPED_KEYS or (key.startswith("x-") and key != "x-also-number"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    str(prop): self._copy(sub, doc, join_pointer(pointer, key, prop), owner)
                    for prop, sub in value.items()
                }
            elif key == "discriminator":
                disc = self._discriminator(value, node, doc, pointer, owner)
                if disc is not None:
                    out[key] = disc
            elif key in ("enum", "const", "default"):
                out[key] = copy.deepcopy(value)  # values, not schemas: a {"$ref": ...} in them is data
            else:
                out[key] = self._copy(value, doc, join_pointer(pointer, key), owner)
        return out

    def _discriminator(
        self, raw: Any, node: dict[str, Any], doc: Document, pointer: str, owner: str
    ) -> dict[str, Any] | None:
        """The discriminator with every mapping target collected, and the implicit values (the
        component name of each branch) made explicit: Python names may differ from spec names."""
        if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
            return None
        where = join_pointer(pointer, "discriminator")
        mapping: dict[str, str] = {}
        raw_mapping = raw.get("mapping")
        for value, target in (raw_mapping.items() if isinstance(raw_mapping, dict) else ()):
            if not isinstance(target, str):
                continue
            ref = target if ("#" in target or "/" in target or target.endswith((".yaml", ".yml", ".json"))) \
                else COMPONENT_PREFIX + target
            copied = self._copy({"$ref": ref}, doc, join_pointer(where, "mapping", value), owner)
            mapping[str(value)] = copied["$ref"]
        for key in ("oneOf", "anyOf"):
            branches = node.get(key)
            for i, branch in enumerate(branches if isinstance(branches, list) else ()):
                if not (isinstance(branch, dict) and isinstance(branch.get("$ref"), str)):
                    continue
                target = self.resolver.follow(branch, doc, join_pointer(pointer, key, i))
                collected = self._copy(branch, doc, join_pointer(pointer, key, i), owner)["$ref"]
                implicit = split_pointer(target.pointer)[-1] if target.pointer else target.doc.path.stem
                if collected not in mapping.values():
                    mapping.setdefault(implicit, collected)
        return {"propertyName": raw["propertyName"], "mapping": mapping}

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
        self.models.schemas[name] = {**struct, ORIGIN_KEY: [doc.name, pointer, doc.line_of(pointer)]}
        return {"$ref": COMPONENT_PREFIX + name}

    def is_null(self, schema: Any, doc: Document) -> bool:
        """A schema that only admits JSON null."""
        try:
            node = self.resolver.deref(schema, doc)
        except SpecError:
            return False
        if not isinstance(node, dict):
            return False
        return node.get("type") == "null" or node.get("type") == ["null"] or node.get("enum") == [None]

    # -- naming types ----------------------------------------------------------------------
    def type_of(self, schema: Any, doc: Document, pointer: str, name_hint: str, _depth: int = 0) -> SchemaRef:
        """The Python type for a value of this schema; objects and unions become models."""
        module = self.models.module
        located = self.resolver.follow(schema, doc, pointer)
        node = located.value
        if node is False:
            return _ref("None", True)
        if not isinstance(node, dict):
            return _ref("Any", False)
        nullable = _nullable(node)
        wrapper = _wrapper_key(node)
        if wrapper and _depth < 20:  # {allOf: [X], nullable: true} (or oneOf/anyOf) is X, maybe null
            where = join_pointer(located.pointer, wrapper, 0)
            inner = self.type_of(node[wrapper][0], located.doc, where, name_hint, _depth + 1)
            return _ref(inner.decode_type, nullable or inner.nullable)
        for key in ("anyOf", "oneOf"):  # {anyOf: [X, null]} is X, maybe null
            branches = node.get(key)
            if isinstance(branches, list) and _depth < 20 and not node.get("discriminator"):
                kept = [i for i, b in enumerate(branches) if not self.is_null(b, located.doc)]
                if len(kept) == 1 and len(branches) > 1 and all(
                    k in _ANNOTATIONS or k in (key, "type") or k.startswith("x-") for k in node
                ):
                    where = join_pointer(located.pointer, key, kept[0])
                    inner = self.type_of(branches[kept[0]], located.doc, where, name_hint, _depth + 1)
                    return _ref(inner.decode_type, True)
        if isinstance(schema, dict) and "$ref" in schema:
            name = self.add(node, located.doc, located.pointer, _hint(located))
            return _ref(f"{module}.{name}", nullable)
        simple = scalar_type(node)
        if simple is not None:
            return _ref(simple, nullable)
        name = self.add(node, located.doc, located.pointer, name_hint)
        return _ref(f"{module}.{name}", nullable)


def _hint(located: Located) -> str:
    """The name a schema reached through `$ref` is known by: its key, or its file's name."""
    tokens = split_pointer(located.pointer)
    return tokens[-1] if tokens else located.doc.path.stem


def _ref(py: str, nullable: bool) -> SchemaRef:
    return SchemaRef(f"{py} | None" if nullable else py, py, nullable)


_ANNOTATIONS = {"nullable", "description", "title", "example", "examples", "default", "readOnly", "writeOnly"}


def _wrapper_key(node: Any) -> str | None:
    """`allOf`, `oneOf` or `anyOf` when the schema is only one branch of it plus annotations."""
    if not isinstance(node, dict):
        return None
    for key in ("allOf", "oneOf", "anyOf"):
        branches = node.get(key)
        if isinstance(branches, list) and len(branches) == 1 and all(
            k in _ANNOTATIONS or k == key or k.startswith("x-") for k in node
        ):
            return key
    return None


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


def merged_properties(schema: Any, resolver: Resolver, doc: Document, pointer: str,
                      _depth: int = 0) -> dict[str, Any]:
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
    for prop, sub in (properties.items() if isinstance(properties, dict) else ()):
        out[str(prop)] = (sub, located.doc, join_pointer(located.pointer, "properties", prop))
    return out


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)
