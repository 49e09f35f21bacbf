"""Schemas of an AsyncAPI document as Python types; classes are hoisted into the ModelSet."""

from __future__ import annotations

from typing import Any

from generator.load import Document, Located, Resolver
from generator.model.asyncapi.common import (
    _MODULE_NAMES,
    _NO_CONST,
    COMPONENT_PREFIX,
    MODULE,
    _annotation_only,
    _constant,
    _count,
    _identifier,
)
from generator.model.ir import ModelSet
from generator.naming import pascal, snake, unique
from generator.problems import join_pointer


class _Types:
    """Turns schemas into Python type expressions, hoisting classes into the ModelSet."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.models = ModelSet(module=MODULE, dialect="3.1.0")
        self._names: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()
        # Plain messages: a property with one allowed value defaults to it (not required).
        self.const_defaults = False
        self.fields: dict[str, dict[str, str]] = {}  # model -> {wire name or title: attribute}
        self.field_nodes: dict[
            str, dict[str, Located]
        ] = {}  # model -> {wire name or title: schema}

    # -- helpers ---------------------------------------------------------------------------
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

    # -- models ----------------------------------------------------------------------------
    def visit(
        self, node: Any, doc: Document, pointer: str, hint: str
    ) -> tuple[dict[str, Any], str, bool]:
        """(schema for the model module, Python type without None, whether null is allowed)."""
        loc, named = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return {}, "Any", False
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
                return {"type": "null"}, "None", True
            if len(parts) == 1:
                schema, py, inner_null = parts[0]
            else:
                schema = {"anyOf": [p[0] for p in parts]}
                py = " | ".join(dict.fromkeys(p[1] for p in parts))
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
                py = " | ".join(dict.fromkeys(k[1] for k in kinds)) or "None"
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
                py = f"{py} | None" if inner_null else py
                return (
                    {"type": "object", "additionalProperties": inner, **description},
                    f"dict[str, {py}]",
                    nullable,
                )
            return {"type": "object", **description}, "dict[str, Any]", nullable
        if types == "array" or (types is None and "items" in value):
            items = value.get("items")
            if isinstance(items, list) and items:
                same = self._homogeneous(loc)
                if same is not None:
                    inner, py, inner_null = self.visit(same[0], loc.doc, same[1], hint + "Item")
                    py = f"{py} | None" if inner_null else py
                    return {"type": "array", "items": inner, **description}, f"list[{py}]", nullable
                schema, py, _ = self._hoist_positional(loc, named or hint)
                return schema, py, nullable
            if isinstance(items, dict) and items:
                inner, py, inner_null = self.visit(
                    items, loc.doc, join_pointer(loc.pointer, "items"), hint + "Item"
                )
                py = f"{py} | None" if inner_null else py
                return {"type": "array", "items": inner, **description}, f"list[{py}]", nullable
            return {"type": "array", **description}, "list[Any]", nullable
        schema, py = self._scalar(value)
        return schema, py, nullable or types == "null"

    @staticmethod
    def _scalar(value: dict[str, Any]) -> tuple[dict[str, Any], str]:
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
            return keep, "Decimal" if fmt == "decimal" else "str"
        if kind == "integer":
            return keep, "int"
        if kind == "number":
            return keep, "Decimal" if fmt == "decimal" else "float"
        if kind == "boolean":
            return keep, "bool"
        if kind == "null":
            return keep, "None"
        return {k: v for k, v in keep.items() if k == "description"}, "Any"

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

    def model_of(self, loc: Located) -> str | None:
        """The model name the schema at `loc` was hoisted as, if it was."""
        return self._names.get((str(loc.doc.path.resolve()), loc.pointer))

    def _reserve(self, loc: Located, hint: str) -> tuple[str, bool]:
        key = (str(loc.doc.path.resolve()), loc.pointer)
        if key in self._names:
            return self._names[key], False
        name = unique(pascal(hint), self._taken | _MODULE_NAMES)
        self._taken.add(name)
        self._names[key] = name
        self.models.schemas[name] = {}  # reserved first: schemas may be recursive
        return name, True

    def _hoist_object(
        self, loc: Located, hint: str, merged: bool = False
    ) -> tuple[dict[str, Any], str, bool]:
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
            for req in self._required(loc):
                if req in props and req not in required and req not in fixed:
                    required.append(req)
            out: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                out["required"] = required
            if isinstance(loc.value.get("description"), str):
                out["description"] = loc.value["description"]
            self.models.schemas[name] = out
            self.fields[name] = {p: p for p in props if _identifier(p)}
            self.field_nodes[name] = nodes
        return {"$ref": COMPONENT_PREFIX + name}, f"{MODULE}.{name}", False

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

    def _required(self, loc: Located) -> list[str]:
        value = loc.value
        out = [str(r) for r in value.get("required") or []]
        for i, branch in enumerate(value.get("allOf") or []):
            inner, _ = self.follow(branch, loc.doc, join_pointer(loc.pointer, "allOf", i))
            if isinstance(inner.value, dict):
                out += self._required(inner)
        return out

    def _hoist_positional(self, loc: Located, hint: str) -> tuple[dict[str, Any], str, bool]:
        name, new = self._reserve(loc, hint)
        if new:
            items = loc.value["items"]
            min_items = _count(loc.value.get("minItems"), len(items))
            props: dict[str, Any] = {}
            fields: dict[str, str] = {}
            nodes: dict[str, Located] = {}
            taken: set[str] = set()
            required: list[str] = []
            for i, item in enumerate(items):
                ptr = join_pointer(loc.pointer, "items", i)
                title = item.get("title") if isinstance(item, dict) else None
                if not isinstance(title, str):
                    inner, _ = self.follow(item, loc.doc, ptr)
                    title = inner.value.get("title") if isinstance(inner.value, dict) else None
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
            self.fields[name] = fields
            self.field_nodes[name] = nodes
        return {"$ref": COMPONENT_PREFIX + name}, f"{MODULE}.{name}", False

    # -- arguments -------------------------------------------------------------------------
    def param_type(self, node: Any, doc: Document, pointer: str) -> str:
        loc, _ = self.follow(node, doc, pointer)
        value = loc.value
        if not isinstance(value, dict):
            return "Any"
        branches, nullable, key = self.non_null(value)
        if key:
            parts = [
                self.param_type(b, loc.doc, join_pointer(loc.pointer, key, i))
                for i, b in enumerate(branches)
            ]
            py = " | ".join(dict.fromkeys(parts)) or "None"
            return f"{py} | None" if nullable and py != "None" else py
        if "enum" in value:
            values = [v for v in value["enum"] if v is not None]
            if values and all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
            ):
                return "Literal[" + ", ".join(repr(v) for v in values) + "]"
        types = value.get("type")
        if isinstance(types, list):
            rest = [t for t in types if t != "null"]
            py = " | ".join(
                dict.fromkeys(
                    self.param_type({**value, "type": t}, loc.doc, loc.pointer) for t in rest
                )
            )
            return f"{py} | None" if "null" in types else py
        fmt = value.get("format")
        if types == "string":
            return "Decimal | str" if fmt == "decimal" else "str"
        if types == "integer":
            return "int"
        if types == "number":
            return "Decimal | float" if fmt == "decimal" else "float"
        if types == "boolean":
            return "bool"
        if types == "array" or "items" in value:
            items = value.get("items")
            if isinstance(items, list) and items and not value.get("additionalItems"):
                inner = [
                    self.param_type(it, loc.doc, join_pointer(loc.pointer, "items", i))
                    for i, it in enumerate(items)
                ]
                return f"tuple[{', '.join(inner)}]"
            if isinstance(items, dict) and items:
                return f"Sequence[{self.param_type(items, loc.doc, join_pointer(loc.pointer, 'items'))}]"
            return "Sequence[Any]"
        if types == "object":
            return "Mapping[str, Any]"
        return "Any"
