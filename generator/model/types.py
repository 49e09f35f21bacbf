"""One schema-to-type mapper for the REST and the WebSocket half of a project.

`TypeMapper` turns schemas into `PyType`s and hoists the schemas that become classes into one
`ModelSet` (one generated `models` module). Every class is keyed by the schema's source, the file
and JSON pointer it lives at after `$ref` resolution: the same schema object reached from the
OpenAPI document, the AsyncAPI document or a component file both `$ref` is one class.

Two readers share the registry:

* `type_of` / `add` (operations): a schema is copied with every `$ref` (local or in another file)
  rewritten to `#/components/schemas/<PythonName>`, so the renderer can hand the set to
  datamodel-code-generator as one self-contained document; `x-positional` arrays become
  array_like structs.
* `visit` (messages): payload types are spelled out structurally (`list[models.Deal]`,
  `dict[str, models.Balance]`, unions), objects and positional arrays (`items: [...]` with
  titles, or `x-positional`) are hoisted; a schema hoisted already, by either reader, is reused.
"""

from __future__ import annotations

import copy
import keyword
from typing import Any

from generator.document.nodes import Schema
from generator.load import Document, Located, Resolver
from generator.model.enums import KEYS as ENUM_KEYS
from generator.model.enums import enum_spec
from generator.model.ir import ModelSet
from generator.model.pytype import (
    ANY,
    BYTES,
    NONE,
    PyType,
    generic,
    literal,
    members,
    model,
    scalar,
    union,
)
from generator.naming import pascal, snake, unique
from generator.problems import SpecError, join_pointer, split_pointer

MODULE = "models"
COMPONENT_PREFIX = "#/components/schemas/"
ORIGIN_KEY = "x-origin"  # [file, pointer, line] of each collected schema, for located problems
# Names the models module imports or Python reserves: a schema never takes one
# (datamodel-code-generator would rename the class, and the SDK's references to it would break).
RESERVED_NAMES = frozenset({
    "Annotated", "Any", "ClassVar", "Decimal", "Enum", "Field", "IntEnum", "Literal", "Meta", "NoneType",
    "Optional", "StrEnum", "Struct", "TypeAlias", "UNSET", "UUID", "Union", "UnsetType", "None", "True",
    "False", "NotImplemented", "Ellipsis", "List", "Dict", "Set", "Tuple", "Type", "Self",
})  # fmt: skip
# Names the rendered model module imports itself (classes hoisted by `visit` avoid them too).
_MODULE_NAMES = {
    "Decimal", "Any", "Struct", "field", "UNSET", "UnsetType", "Meta", "Annotated", "Literal",
    "Enum", "Optional", "Union", "List", "Dict", "AwareDatetime", "NaiveDatetime",
}  # fmt: skip
_SKIPPED_KEYS = {
    "example",
    "examples",
    "$defs",
    "definitions",
    "$id",
    "$schema",
    "$anchor",
    "$comment",
}
# Schema keywords that only describe (a branch made of these alone adds no constraint).
_DESCRIBING = {
    "description", "title", "example", "examples", "default", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "$comment",
}  # fmt: skip
_ANNOTATIONS = {
    "nullable",
    "description",
    "title",
    "example",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
}
_NO_CONST = object()
_KEPT_X = frozenset({"x-also-number", *ENUM_KEYS})  # extensions the models read


class TypeMapper:
    """Schemas to Python types for one project; hoisted classes land in `models`."""

    def __init__(self, resolver: Resolver, module: str = MODULE, dialect: str = "3.0.3") -> None:
        self.resolver = resolver
        self.models = ModelSet(module=module, dialect=dialect)
        self._names: dict[tuple[str, str], str] = {}  # (file, pointer) -> python name
        self._sources: dict[str, Located] = {}  # python name -> the schema it was made from
        self._taken: set[str] = set(RESERVED_NAMES)
        # Plain messages: a property with one allowed value defaults to it (not required).
        self.const_defaults = False
        self._fields: dict[str, dict[str, str]] = {}  # model -> {wire name or title: attribute}
        self._field_nodes: dict[
            str, dict[str, Located]
        ] = {}  # model -> {wire name or title: schema}
        self.reached: dict[str, None] = {}  # classes `visit` returned or hoisted, in order

    @staticmethod
    def _key(doc: Document, pointer: str) -> tuple[str, str]:
        return (doc.key, pointer)

    def name_of(self, doc: Document, pointer: str) -> str | None:
        """The Python name given to the schema at doc#pointer, if it was collected."""
        return self._names.get(self._key(doc, pointer))

    def model_of(self, loc: Located) -> str | None:
        """The class name the schema at `loc` was hoisted as, if it was."""
        return self.name_of(loc.doc, loc.pointer)

    def _model(self, name: str) -> PyType:
        return model(self.models.module, name)

    # == operations: copies with $refs rewritten =============================================
    def add(self, schema: Any, doc: Document, pointer: str, name_hint: str) -> str:
        """Register the schema at doc#pointer under a Python name; returns that name."""
        key = self._key(doc, pointer)
        if key in self._names:
            return self._names[key]
        base = pascal(name_hint)
        name = unique(base + "Model" if base in RESERVED_NAMES else base, self._taken)
        self._names[key] = name
        self._sources[name] = Located(schema, doc, pointer)
        self.models.schemas[name] = {}  # reserve first: schemas may be recursive
        copied = self._copy(schema, doc, pointer, name)
        if not isinstance(copied, dict):  # `true`/`false` (3.1) or junk: anything
            copied = {}
        copied[ORIGIN_KEY] = [doc.name, pointer, doc.line_of(pointer)]
        self.models.schemas[name] = copied
        return name

    def _copy(
        self, node: Any, doc: Document, pointer: str, owner: str, place: str | None = None
    ) -> Any:
        """A copy with `$ref`s rewritten; an inline object below the root (`place` is its name
        from where it sits: owner, then property names, `Item`, `Value`) becomes its own class."""
        here = place or owner
        if isinstance(node, list):
            return [
                self._copy(v, doc, join_pointer(pointer, i), owner, place)
                for i, v in enumerate(node)
            ]
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
        if place is not None and (_inline_object(node) or enum_spec(node)):
            return {"$ref": COMPONENT_PREFIX + self.add(node, doc, pointer, place)}
        out: dict[str, Any] = {}
        for key, value in node.items():
            key = str(key)
            if key in _SKIPPED_KEYS or (key.startswith("x-") and key not in _KEPT_X):
                continue
            where = join_pointer(pointer, key)
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    str(prop): self._copy(
                        sub, doc, join_pointer(where, prop), owner, here + pascal(str(prop))
                    )
                    for prop, sub in value.items()
                }
            elif key == "discriminator":
                disc = self._discriminator(value, node, doc, pointer, owner)
                if disc is not None:
                    out[key] = disc
            elif key in ("enum", "const", "default"):
                out[key] = copy.deepcopy(
                    value
                )  # values, not schemas: a {"$ref": ...} in them is data
            elif key in ("items", "additionalProperties", "oneOf", "anyOf", "prefixItems"):
                suffix = (
                    "Value" if key == "additionalProperties" else "Item" if "tems" in key else ""
                )
                out[key] = self._copy(value, doc, where, owner, here + suffix)
            else:  # allOf branches merge into their owner: named by datamodel-code-generator
                out[key] = self._copy(value, doc, where, owner)
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
        for value, target in raw_mapping.items() if isinstance(raw_mapping, dict) else ():
            if not isinstance(target, str):
                continue
            ref = (
                target
                if ("#" in target or "/" in target or target.endswith((".yaml", ".yml", ".json")))
                else COMPONENT_PREFIX + target
            )
            copied = self._copy({"$ref": ref}, doc, join_pointer(where, "mapping", value), owner)
            mapping[str(value)] = copied["$ref"]
        for key in ("oneOf", "anyOf"):
            branches = node.get(key)
            for i, branch in enumerate(branches if isinstance(branches, list) else ()):
                if not (isinstance(branch, dict) and isinstance(branch.get("$ref"), str)):
                    continue
                target = self.resolver.follow(branch, doc, join_pointer(pointer, key, i))
                collected = self._copy(branch, doc, join_pointer(pointer, key, i), owner)["$ref"]
                implicit = (
                    split_pointer(target.pointer)[-1] if target.pointer else target.doc.path.stem
                )
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
                raise SpecError(
                    [doc.problem(join_pointer(base, i), "needs a 'name' and a 'schema'")]
                )
            schema = item.get("schema", {})
            properties[item["name"]] = self._copy(
                schema, doc, join_pointer(base, i, "schema"), owner
            )
            if i < min_items:
                required.append(item["name"])
        struct = {"type": "object", "properties": properties, "required": required}
        if "description" in node:
            struct["description"] = node["description"]
        key = self._key(doc, pointer)
        if key in self._names and self._names[key] == owner:
            self.models.positional.add(owner)
            return struct
        name = self._names.get(key) or unique(
            pascal(pointer.rsplit("/", 1)[-1] + "Row"), self._taken
        )
        self._names[key] = name
        self._sources.setdefault(name, Located(node, doc, pointer))
        self.models.positional.add(name)
        self.models.schemas[name] = {
            **struct,
            ORIGIN_KEY: [doc.name, pointer, doc.line_of(pointer)],
        }
        return {"$ref": COMPONENT_PREFIX + name}

    def is_null(self, schema: Any, doc: Document) -> bool:
        """A schema that only admits JSON null."""
        try:
            node = self.resolver.deref(schema, doc)
        except SpecError:
            return False
        if not isinstance(node, dict):
            return False
        return (
            node.get("type") == "null" or node.get("type") == ["null"] or node.get("enum") == [None]
        )

    def type_of(
        self, schema: Any, doc: Document, pointer: str, name_hint: str, _depth: int = 0
    ) -> PyType:
        """The Python type for a value of this schema; objects and unions become models."""
        located = self.resolver.follow(schema, doc, pointer)
        named = isinstance(schema, dict) and "$ref" in schema
        return self._type_of(located, named, name_hint, _depth)

    def schema_type(self, schema: Schema, name_hint: str) -> PyType:
        """`type_of` for a document-model schema (named by its component when reached by `$ref`)."""
        where = schema.location
        return self._type_of(
            Located(schema.value, where.doc, where.pointer), bool(schema.ref), name_hint
        )

    def _type_of(self, located: Located, named: bool, name_hint: str, _depth: int = 0) -> PyType:
        node = located.value
        if node is False:
            return NONE
        if not isinstance(node, dict):
            return ANY
        nullable = _nullable(node)
        wrapper = _wrapper_key(node)
        if (
            wrapper and _depth < 20
        ):  # {allOf: [X], nullable: true} (or oneOf/anyOf) is X, maybe null
            where = join_pointer(located.pointer, wrapper, 0)
            inner = self.type_of(node[wrapper][0], located.doc, where, name_hint, _depth + 1)
            return _maybe_none(inner.base, nullable or inner.nullable)
        for key in ("anyOf", "oneOf"):  # {anyOf: [X, null]} is X, maybe null
            branches = node.get(key)
            if isinstance(branches, list) and _depth < 20 and not node.get("discriminator"):
                kept = [i for i, b in enumerate(branches) if not self.is_null(b, located.doc)]
                if (
                    len(kept) == 1
                    and len(branches) > 1
                    and all(
                        k in _ANNOTATIONS or k in (key, "type") or k.startswith("x-") for k in node
                    )
                ):
                    where = join_pointer(located.pointer, key, kept[0])
                    inner = self.type_of(
                        branches[kept[0]], located.doc, where, name_hint, _depth + 1
                    )
                    return inner.base.or_none()
        if named:
            name = self.add(node, located.doc, located.pointer, _hint(located))
            return _maybe_none(self._model(name), nullable)
        simple = scalar_pytype(node)
        if simple is not None:
            return _maybe_none(simple, nullable)
        name = self.add(node, located.doc, located.pointer, name_hint)
        return _maybe_none(self._model(name), nullable)

    # == messages: structural types ==========================================================
    def follow(self, node: Any, doc: Document, pointer: str) -> tuple[Located, str | None]:
        """Resolve $refs and single-branch allOf wrappers; also return the component name."""
        named: str | None = None
        loc = self.resolver.follow(node, doc, pointer)
        if isinstance(node, dict) and "$ref" in node:
            named = loc.pointer.rsplit("/", 1)[-1] or loc.doc.path.stem
        value = loc.value
        while isinstance(value, dict):
            branches = value.get("allOf")
            if not (
                isinstance(branches, list) and "properties" not in value and "type" not in value
            ):
                break
            # One real branch; the others only annotate it (`- description: ...`).
            real = [i for i, b in enumerate(branches) if not _annotation_only(b)]
            if len(real) != 1:
                break
            inner = branches[real[0]]
            loc2 = self.resolver.follow(inner, loc.doc, join_pointer(loc.pointer, "allOf", real[0]))
            if isinstance(inner, dict) and "$ref" in inner:
                named = loc2.pointer.rsplit("/", 1)[-1] or named
            loc, value = loc2, loc2.value
        return loc, named

    @staticmethod
    def non_null(value: dict[str, Any]) -> tuple[list[Any], bool, str]:
        """Branches of anyOf/oneOf without the null ones, whether null was one, and the key."""
        for key in ("anyOf", "oneOf"):
            branches = value.get(key)
            if isinstance(branches, list):
                kept = [
                    b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")
                ]
                return kept, len(kept) != len(branches), key
        return [], False, ""

    def visit(
        self, node: Any, doc: Document, pointer: str, hint: str
    ) -> tuple[dict[str, Any], PyType, bool]:
        """(schema for the model module, Python type without None, whether null is allowed)."""
        loc, named = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return {}, ANY, False
        description = (
            {"description": value["description"]}
            if isinstance(value.get("description"), str)
            else {}
        )
        branches, nullable, key = self.non_null(value)
        if key:
            parts = [
                self.visit(
                    b,
                    loc.doc,
                    join_pointer(loc.pointer, key, i),
                    f"{hint}{i + 1}" if len(branches) > 1 else hint,
                )
                for i, b in enumerate(branches)
            ]
            if not parts:
                return {"type": "null"}, NONE, True
            if len(parts) == 1:
                schema, py, inner_null = parts[0]
            else:
                schema = {"anyOf": [p[0] for p in parts]}
                py = union([p[1] for p in parts])
                inner_null = any(p[2] for p in parts)
            if nullable or inner_null:
                schema = {"anyOf": [schema, {"type": "null"}], **description}
            return schema, py, nullable or inner_null
        if "allOf" in value:
            return self._hoist_object(loc, named or hint, merged=True)
        types = value.get("type")
        nullable = isinstance(types, list) and "null" in types
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            if len(rest) != 1:
                kinds = [self._scalar({**value, "type": t}) for t in rest]
                py = union([k[1] for k in kinds])
                return (
                    {"anyOf": [k[0] for k in kinds] + ([{"type": "null"}] if nullable else [])},
                    py,
                    nullable,
                )
            types = rest[0]
        if types == "object" or (types is None and "properties" in value):
            if value.get("properties"):
                schema, py, _ = self._hoist_object(loc, named or hint)
                return schema, py, nullable
            extra = value.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                inner, py, inner_null = self.visit(
                    extra,
                    loc.doc,
                    join_pointer(loc.pointer, "additionalProperties"),
                    hint + "Value",
                )
                py = py.or_none() if inner_null else py
                return (
                    {"type": "object", "additionalProperties": inner, **description},
                    generic("dict", py),
                    nullable,
                )
            return {"type": "object", **description}, generic("dict", ANY), nullable
        if types == "array" or (types is None and "items" in value):
            if isinstance(value.get("x-positional"), list) and value["x-positional"]:
                schema, py, _ = self._hoist_positional(loc, named or hint)
                return schema, py, nullable
            items = value.get("items")
            if isinstance(items, list) and items:
                same = self._homogeneous(loc)
                if same is not None:
                    inner, py, inner_null = self.visit(same[0], loc.doc, same[1], hint + "Item")
                    py = py.or_none() if inner_null else py
                    return (
                        {"type": "array", "items": inner, **description},
                        generic("list", py),
                        nullable,
                    )
                schema, py, _ = self._hoist_positional(loc, named or hint)
                return schema, py, nullable
            if isinstance(items, dict) and items:
                inner, py, inner_null = self.visit(
                    items, loc.doc, join_pointer(loc.pointer, "items"), hint + "Item"
                )
                py = py.or_none() if inner_null else py
                return (
                    {"type": "array", "items": inner, **description},
                    generic("list", py),
                    nullable,
                )
            return {"type": "array", **description}, generic("list", ANY), nullable
        if enum_spec(value) is not None:
            schema, py, _ = self._hoist_enum(loc, named or hint)
            return schema, py, nullable
        schema, py = self._scalar(value)
        return schema, py, nullable or types == "null"

    def _hoist_enum(self, loc: Located, hint: str) -> tuple[dict[str, Any], PyType, bool]:
        """An integer schema with `x-enum-varnames` is an enum class (generator/model/enums.py)."""
        name, new = self._reserve(loc, hint)
        if new:
            kept = ("type", "format", "enum", "description", *ENUM_KEYS)
            schema = {k: copy.deepcopy(loc.value[k]) for k in kept if k in loc.value}
            schema[ORIGIN_KEY] = [loc.doc.name, loc.pointer, loc.doc.line_of(loc.pointer)]
            self.models.schemas[name] = schema
        return self._ref(name)

    @staticmethod
    def _scalar(value: dict[str, Any]) -> tuple[dict[str, Any], PyType]:
        keep: dict[str, Any] = {
            k: value[k]
            for k in ("type", "format", "enum", "const", "description", "default")
            if k in value
        }
        if isinstance(keep.get("type"), list):
            keep["type"] = next(t for t in keep["type"] if t != "null")
        kind, fmt = keep.get("type"), keep.get("format")
        if kind is None and "enum" in value:
            values = [v for v in value["enum"] if v is not None]
            kind = "string" if values and all(isinstance(v, str) for v in values) else None
        if kind == "string":
            return keep, scalar("Decimal" if fmt == "decimal" else "str")
        if kind == "integer":
            return keep, scalar("int")
        if kind == "number":
            return keep, scalar("Decimal" if fmt == "decimal" else "float")
        if kind == "boolean":
            return keep, scalar("bool")
        if kind == "null":
            return keep, NONE
        return {k: v for k, v in keep.items() if k == "description"}, ANY

    def _homogeneous(self, loc: Located) -> tuple[Any, str] | None:
        """Tuple items that all have the schema of `additionalItems`: really a plain list."""
        value = loc.value
        extra = value.get("additionalItems")
        if not isinstance(extra, dict) or not extra:
            return None
        target, _ = self.follow(extra, loc.doc, join_pointer(loc.pointer, "additionalItems"))
        for i, item in enumerate(value["items"]):
            got, _ = self.follow(item, loc.doc, join_pointer(loc.pointer, "items", i))
            if (got.doc.path, got.pointer) != (target.doc.path, target.pointer):
                return None
        return extra, join_pointer(loc.pointer, "additionalItems")

    def _reserve(self, loc: Located, hint: str) -> tuple[str, bool]:
        key = self._key(loc.doc, loc.pointer)
        if key in self._names:
            name = self._names[key]
            self.reached.setdefault(name)
            return name, False
        name = unique(pascal(hint), self._taken | _MODULE_NAMES)
        self._taken.add(name)
        self._names[key] = name
        self._sources[name] = loc
        self.models.schemas[name] = {}  # reserved first: schemas may be recursive
        self.reached.setdefault(name)
        return name, True

    def _ref(self, name: str) -> tuple[dict[str, Any], PyType, bool]:
        return {"$ref": COMPONENT_PREFIX + name}, self._model(name), False

    def _hoist_object(
        self, loc: Located, hint: str, merged: bool = False
    ) -> tuple[dict[str, Any], PyType, bool]:
        name, new = self._reserve(loc, hint)
        if new:
            props: dict[str, Any] = {}
            nodes: dict[str, Located] = {}
            required: list[str] = []
            fixed: set[str] = set()
            for prop, (sub, sub_doc, sub_ptr) in self.properties(loc).items():
                schema, _, _ = self.visit(sub, sub_doc, sub_ptr, name + pascal(prop))
                if self.const_defaults and "$ref" not in schema:
                    value = _constant(self.resolver.deref(sub, sub_doc, sub_ptr))
                    if value is not _NO_CONST and value is not None:
                        schema = {**schema, "default": value}  # the one value: no need to pass it
                        fixed.add(prop)
                props[prop] = schema
                nodes[prop] = Located(sub, sub_doc, sub_ptr)
            for req in self.required(loc):
                if req in props and req not in required and req not in fixed:
                    required.append(req)
            out: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                out["required"] = required
            if isinstance(loc.value.get("description"), str):
                out["description"] = loc.value["description"]
            self.models.schemas[name] = out
            self._fields[name] = {p: attribute(p) for p in props if _identifier(attribute(p))}
            self._field_nodes[name] = nodes
        return self._ref(name)

    def properties(self, loc: Located) -> dict[str, tuple[Any, Document, str]]:
        out: dict[str, tuple[Any, Document, str]] = {}
        value = loc.value
        for i, branch in enumerate(value.get("allOf") or []):
            inner, _ = self.follow(branch, loc.doc, join_pointer(loc.pointer, "allOf", i))
            if isinstance(inner.value, dict):
                out.update(self.properties(inner))
        for prop, sub in (value.get("properties") or {}).items():
            out[prop] = (sub, loc.doc, join_pointer(loc.pointer, "properties", prop))
        return out

    def required(self, loc: Located) -> list[str]:
        value = loc.value
        out = [str(r) for r in value.get("required") or []]
        for i, branch in enumerate(value.get("allOf") or []):
            inner, _ = self.follow(branch, loc.doc, join_pointer(loc.pointer, "allOf", i))
            if isinstance(inner.value, dict):
                out += self.required(inner)
        return out

    def _positions(self, loc: Located) -> list[tuple[str | None, Any, str]]:
        """(title, schema node, pointer) per position: `items: [...]` or `x-positional`."""
        value = loc.value
        named = value.get("x-positional")
        if isinstance(named, list) and named:
            return [
                (
                    item.get("name") if isinstance(item, dict) else None,
                    item.get("schema", {}) if isinstance(item, dict) else {},
                    join_pointer(loc.pointer, "x-positional", i, "schema"),
                )
                for i, item in enumerate(named)
            ]
        out: list[tuple[str | None, Any, str]] = []
        for i, item in enumerate(value["items"]):
            ptr = join_pointer(loc.pointer, "items", i)
            title = item.get("title") if isinstance(item, dict) else None
            if not isinstance(title, str):
                inner, _ = self.follow(item, loc.doc, ptr)
                title = inner.value.get("title") if isinstance(inner.value, dict) else None
            out.append((title, item, ptr))
        return out

    def _hoist_positional(self, loc: Located, hint: str) -> tuple[dict[str, Any], PyType, bool]:
        name, new = self._reserve(loc, hint)
        if new:
            positions = self._positions(loc)
            min_items = _count(loc.value.get("minItems"), len(positions))
            props: dict[str, Any] = {}
            fields: dict[str, str] = {}
            nodes: dict[str, Located] = {}
            taken: set[str] = set()
            required: list[str] = []
            for i, (title, item, ptr) in enumerate(positions):
                title = title if isinstance(title, str) and title else f"item{i}"
                attr = unique(snake(title, fallback="item"), taken)
                schema, _, _ = self.visit(item, loc.doc, ptr, name + pascal(title))
                if isinstance(item, dict) and isinstance(item.get("description"), str):
                    schema = (
                        {**schema, "description": item["description"]}
                        if "$ref" not in schema
                        else schema
                    )
                props[attr] = schema
                fields[title] = attr
                nodes[title] = Located(item, loc.doc, ptr)
                if i < min_items:
                    required.append(attr)
            out: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                out["required"] = required
            if isinstance(loc.value.get("description"), str):
                out["description"] = loc.value["description"]
            self.models.schemas[name] = out
            self.models.positional.add(name)
            self._fields[name] = fields
            self._field_nodes[name] = nodes
        return self._ref(name)

    # -- what a class holds (for routing pushes and order books) ---------------------------
    def fields(self, name: str) -> dict[str, str]:
        """{wire name (or position title): attribute} of a hoisted class; {} if not a class."""
        if name not in self._fields:
            self._describe(name)
        return self._fields.get(name, {})

    def field_nodes(self, name: str) -> dict[str, Located]:
        if name not in self._field_nodes:
            self._describe(name)
        return self._field_nodes.get(name, {})

    def _describe(self, name: str) -> None:
        """Fields of a class `add` hoisted (attributes are the snake_case wire names)."""
        loc = self._sources.get(name)
        if loc is None or not isinstance(loc.value, dict):
            return
        if name in self.models.positional:
            positions = self._positions(loc) if "x-positional" in loc.value else []
            self._fields[name] = {t: t for t, _, _ in positions if isinstance(t, str)}
            self._field_nodes[name] = {
                t: Located(node, loc.doc, ptr) for t, node, ptr in positions if isinstance(t, str)
            }
            return
        props = self.properties(loc)
        self._fields[name] = {p: attribute(p) for p in props if _identifier(attribute(p))}
        self._field_nodes[name] = {p: Located(*where) for p, where in props.items()}

    # == arguments ===========================================================================
    def param_type(self, node: Any, doc: Document, pointer: str, hint: str | None = None) -> PyType:
        """The annotation of an argument a caller passes (wider than what is decoded), for REST
        and WebSocket alike. With a `hint`, the argument is sent as JSON: an object (or a list
        of them) is its model, hoisted under that name, or a plain mapping."""
        loc = self.resolver.follow(node, doc, pointer)
        named = isinstance(node, dict) and "$ref" in node
        return self._param_type(loc, named, hint)

    def schema_param_type(self, schema: Schema, hint: str | None = None) -> PyType:
        """`param_type` for a document-model schema."""
        where = schema.location
        loc = Located(schema.value, where.doc, where.pointer)
        return self._param_type(loc, bool(schema.ref), hint)

    def _param_type(self, found: Located, named: bool, hint: str | None) -> PyType:
        loc, _ = self.follow(found.value, found.doc, found.pointer)
        py = self._argument(loc.value, loc.doc, loc.pointer)
        if hint is None or not _has_any(py) or not isinstance(loc.value, dict) or not loc.value:
            return py
        items = loc.value.get("items")
        if py.kind == "sequence" and isinstance(items, dict):  # a list of them
            where = join_pointer(loc.pointer, "items")
            item = self.resolver.follow(items, loc.doc, where)
            return generic("sequence", self._param_type(item, "$ref" in items, hint + "Item"))
        # sent as JSON and not fully typed by its shape: its model (or a plain mapping)
        hoisted = self._type_of(found, named, hint).base
        if hoisted.kind in ("any", "none"):
            return py
        if hoisted.kind == "list":
            return generic("sequence", *hoisted.args)
        if hoisted.kind == "model":
            return union([hoisted, generic("mapping", ANY)])
        return hoisted

    def _argument(self, node: Any, doc: Document, pointer: str, depth: int = 0) -> PyType:
        loc, _ = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict) or depth > 20:
            return ANY
        branches, nullable, key = self.non_null(value)
        if key:
            parts = [
                self._argument(b, loc.doc, join_pointer(loc.pointer, key, i), depth + 1)
                for i, b in enumerate(branches)
            ]
            py = union(parts)
            return py.or_none() if nullable and not py.is_none else py
        if enum_spec(value) is not None:  # the class, or the plain value
            cls = self._hoist_enum(loc, _hint(loc))[1]
            codes = [v for v in value.get("enum") or () if isinstance(v, int)]
            return union([cls, literal(list(dict.fromkeys(codes))) if codes else scalar("int")])
        if isinstance(value.get("enum"), list):
            values = [v for v in value["enum"] if v is not None]
            if values and all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
            ):
                return literal(list(dict.fromkeys(values)))
        types = value.get("type")
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            py = union(
                [
                    self._argument({**value, "type": t}, loc.doc, loc.pointer, depth + 1)
                    for t in rest
                ]
            )
            return py.or_none() if "null" in types else py
        fmt = value.get("format")
        if fmt == "decimal" and types in (None, "string", "number"):
            return union([scalar("Decimal"), scalar("str")])  # the text keeps every digit
        if types == "string" or (types is None and fmt == "binary"):
            return union([BYTES, scalar("str")]) if fmt == "binary" else scalar("str")
        if types == "integer":
            return scalar("int")
        if types == "number":
            return union([scalar("float"), scalar("Decimal")])
        if types == "boolean":
            return scalar("bool")
        if types == "array" or "items" in value:
            items = value.get("items")
            if isinstance(items, list) and items and not value.get("additionalItems"):
                inner = [
                    self._argument(it, loc.doc, join_pointer(loc.pointer, "items", i), depth + 1)
                    for i, it in enumerate(items)
                ]
                return generic("tuple", *inner)
            if isinstance(items, dict) and items:
                item = self._argument(items, loc.doc, join_pointer(loc.pointer, "items"), depth + 1)
                return generic("sequence", item)
            return generic("sequence", ANY)
        if types == "object" or "properties" in value or "additionalProperties" in value:
            return generic("mapping", ANY)
        return ANY


def decodable(py: PyType) -> PyType:
    """`py` with every union msgspec cannot decode (several models or dicts) widened to Any."""
    parts = [_decodable_inner(p) for p in members(py)]
    objects = [p for p in parts if p.kind in ("model", "dict")]
    arrays = [p for p in parts if p.kind in ("list", "tuple")]
    if len(objects) > 1 or len(arrays) > 1:
        return ANY
    out = union(parts)
    return out.or_none() if py.nullable and py.kind != "union" and not out.is_none else out


def _has_any(py: PyType) -> bool:
    """`Any` anywhere in the type (an argument its shape alone does not type)."""
    return py.kind == "any" or any(_has_any(a) for a in py.args)


def _decodable_inner(py: PyType) -> PyType:
    if py.kind not in ("list", "sequence", "tuple", "dict", "mapping") or not py.args:
        return py
    return generic(py.kind, *(decodable(a) for a in py.args))


# -- schema helpers ---------------------------------------------------------------------------
def merged_properties(
    schema: Any, resolver: Resolver, doc: Document, pointer: str, _depth: int = 0
) -> dict[str, tuple[Any, Document, str]]:
    """`properties` of a schema with its allOf branches merged (later branches win): each
    property's schema as written, and the document and pointer it is written at."""
    located = resolver.follow(schema, doc, pointer)
    node = located.value
    out: dict[str, tuple[Any, Document, str]] = {}
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


def _hint(located: Located) -> str:
    """The name a schema reached through `$ref` is known by: its key, or its file's name."""
    tokens = split_pointer(located.pointer)
    return tokens[-1] if tokens else located.doc.path.stem


def _maybe_none(py: PyType, nullable: bool) -> PyType:
    return py.or_none() if nullable else py


def _wrapper_key(node: Any) -> str | None:
    """`allOf`, `oneOf` or `anyOf` when the schema is only one branch of it plus annotations."""
    if not isinstance(node, dict):
        return None
    for key in ("allOf", "oneOf", "anyOf"):
        branches = node.get(key)
        if (
            isinstance(branches, list)
            and len(branches) == 1
            and all(k in _ANNOTATIONS or k == key or k.startswith("x-") for k in node)
        ):
            return key
    return None


def _nullable(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    types = node.get("type")
    return bool(node.get("nullable")) or (isinstance(types, list) and "null" in types)


def scalar_pytype(node: Any) -> PyType | None:
    """`str`, `int`, `Decimal`... for simple schemas, None for anything that needs a model."""
    if not isinstance(node, dict):
        return ANY if node is True or node == {} else None
    if any(k in node for k in ("oneOf", "anyOf", "allOf", "properties", "x-positional", "enum")):
        return None
    if enum_spec(node) is not None:
        return None
    types = node.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        if len(non_null) != 1:
            return None
        types = non_null[0]
    fmt = node.get("format")
    if fmt == "decimal" and types in (None, "string", "number"):
        return scalar("Decimal")
    if types == "string":
        return scalar("bytes" if fmt == "binary" else "str")
    if types == "integer":
        return scalar("int")
    if types == "number":
        return scalar("float")
    if types == "boolean":
        return scalar("bool")
    if types == "array" and not isinstance(node.get("items"), list):
        inner = scalar_pytype(node.get("items", {}))
        return generic("list", inner) if inner else None
    if types == "object" and "additionalProperties" in node and not node.get("properties"):
        extra = node["additionalProperties"]
        inner = ANY if extra is True else scalar_pytype(extra)
        return generic("dict", inner) if inner else None
    if types is None and not node:
        return ANY
    return None


def scalar_type(node: Any) -> str | None:
    """`scalar_pytype` as an annotation."""
    found = scalar_pytype(node)
    return None if found is None else found.annotation


def _inline_object(node: dict[str, Any]) -> bool:
    """An object schema written in place that becomes a class of its own."""
    props = node.get("properties")
    return (
        isinstance(props, dict)
        and bool(props)
        and not _nullable(node)
        and not any(k in node for k in ("allOf", "oneOf", "anyOf", "discriminator"))
    )


def _annotation_only(node: Any) -> bool:
    return isinstance(node, dict) and all(k in _DESCRIBING or k.startswith("x-") for k in node)


def attribute(wire: str) -> str:
    """The attribute of a property in a model class: snake_case, the rule datamodel-code-generator
    applies (`snake_case_field`; the wire name is kept with `field(name=...)`)."""
    from datamodel_code_generator.util import camel_to_snake

    return camel_to_snake(wire)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _count(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )


def _constant(schema: Any) -> Any:
    """The one JSON scalar a property schema allows (`const`, or an `enum` of one), if any."""
    if not isinstance(schema, dict):
        return _NO_CONST
    if "const" in schema:
        value = schema["const"]
    elif isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        value = schema["enum"][0]
    else:
        return _NO_CONST
    return value if isinstance(value, (str, int, float, bool)) or value is None else _NO_CONST
