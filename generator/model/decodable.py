"""Schemas in, schemas out: the policy that makes every model msgspec can decode what servers send.

`decodable(schemas)` rewrites the schemas of a ModelSet before datamodel-code-generator sees them,
so its output always builds a msgspec decoder, without running it to find out:

* constraints (ranges, lengths, patterns...) are dropped: they are checked on arguments before
  sending (`_checks.py`), never on what the server answers; so is anything neither
  datamodel-code-generator nor msgspec can use. `const` is a one-value enum;
* enums stay OPEN: `{enum: [a, b]}` becomes `Literal["a", "b"] | str`, which documents the known
  values (editors and mypy show them) and still decodes a value the spec does not list, so a
  server adding a status never breaks a client. Values a Literal cannot hold (floats, booleans,
  mixed types), and strings that decode to another str-like type (Decimal, bytes, timedelta: msgspec
  allows one str-like type per union), give the plain type;
* a oneOf/anyOf with a `discriminator` becomes a msgspec tagged union only where msgspec accepts
  the tags, decided here from the schemas alone (`tag_plan`): every branch a `$ref` to an object
  schema of the set (variants built with allOf are flattened, since a tag field cannot be
  inherited as a field), one tag value per variant within the union, and each variant tagged the
  same way (one tag field, one value) by every union that tags it, since a Struct class carries
  one tag. Any other discriminator is dropped, and the union is treated as untagged;
* untagged unions msgspec cannot tell apart (several object, array or string-like branches) are
  merged into one branch: an object with every property optional, an array of any, a plain string;
* `format: date-time`, `date`, `time`, `duration` and `uuid` decode to datetime, date, time,
  timedelta and UUID, `byte` (base64) to bytes, `decimal` to Decimal; other formats are text.
  A value that does not parse is a decode error, like a value of the wrong type;
* a `$ref` to no schema of the set (only on input that failed validation) means anything;
* a property whose name msgspec cannot use as a wire name carries a stand-in instead
  (`naming.stand_ins`; the SDK renames those keys in the JSON it decodes and encodes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.model.enums import KEYS as ENUM_KEYS
from generator.model.enums import enum_spec
from generator.model.types import COMPONENT_PREFIX, ORIGIN_KEY
from generator.naming import stand_ins


def decodable(schemas: dict[str, Any]) -> dict[str, Any]:
    """Schemas msgspec can decode (see the module docstring); the input is left unchanged."""
    carried = stand_ins(schemas)
    tolerant = {
        name: _ENUM_PLACEHOLDER
        if enum_spec(schema)
        else _tolerant(
            _carry_names(
                {k: v for k, v in schema.items() if k != ORIGIN_KEY}
                if isinstance(schema, dict)
                else schema,
                carried,
            )
        )
        for name, schema in schemas.items()
    }
    tolerant = {name: _drop_dangling(schema, tolerant) for name, schema in tolerant.items()}
    tolerant = _prepare_tags(tolerant)
    merged = {name: _merge_unions(schema, tolerant) for name, schema in tolerant.items()}
    return {name: _open_enums(schema) for name, schema in merged.items()}


# An enum class (`enums.py`) is rendered by `transforms.enum_classes`, in place of the alias
# datamodel-code-generator writes for this placeholder.
_ENUM_PLACEHOLDER: dict[str, Any] = {"type": "integer"}


def _carry_names(node: Any, carried: dict[str, str]) -> Any:
    """The schema with the property names msgspec cannot carry replaced by their stand-ins (in
    `properties`, `required` and a discriminator's `propertyName`), walked as `stand_ins` does."""
    if not carried or not isinstance(node, (dict, list)):
        return node
    if isinstance(node, list):
        return [_carry_names(n, carried) for n in node]
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {carried.get(str(k), k): _carry_names(v, carried) for k, v in value.items()}
        elif key == "required" and isinstance(value, list):
            out[key] = [carried.get(r, r) if isinstance(r, str) else r for r in value]
        elif key == "discriminator" and isinstance(value, dict):
            name = value.get("propertyName")
            out[key] = {**value, "propertyName": carried.get(name, name)} if name else value
        elif key in ("example", "examples", "default", "enum", "const"):
            out[key] = value
        else:
            out[key] = _carry_names(value, carried)
    return out


def _drop_dangling(node: Any, schemas: dict[str, Any]) -> Any:
    """A `$ref` to no schema of the set (only on input that failed validation) means anything."""
    if isinstance(node, list):
        return [_drop_dangling(n, schemas) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None and (
        not isinstance(ref, str)
        or not ref.startswith(COMPONENT_PREFIX)
        or ref[len(COMPONENT_PREFIX) :] not in schemas
    ):
        node = {k: v for k, v in node.items() if k != "$ref"}
    return {k: _drop_dangling(v, schemas) for k, v in node.items()}


def _target(node: Any, schemas: dict[str, Any], depth: int = 0) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        node, depth = schemas.get(node["$ref"].rsplit("/", 1)[-1], {}), depth + 1
    return node


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def _kind(node: Any, schemas: dict[str, Any], depth: int = 0) -> str:
    """object | array | string | number | boolean | null | any: the JSON shape a branch decodes
    from (`string` covers every str-like msgspec type: str, Decimal, datetime, Literal...)."""
    node = _target(node, schemas)
    if depth > 20 or not isinstance(node, dict) or not node:
        return "any"
    types = node.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        if not non_null:
            return "null"
        types = non_null[0] if len(non_null) == 1 else None
        if types is None:
            return "any"
    if "properties" in node or types == "object" or "additionalProperties" in node:
        return "object"
    if types == "array" or "x-positional" in node:
        return "array"
    if types == "null" or node.get("enum") == [None]:
        return "null"
    if types == "string":
        return "string"
    if types in ("integer", "number"):
        return "string" if node.get("format") == "decimal" else "number"
    if types == "boolean":
        return "boolean"
    if isinstance(node.get("enum"), list):
        kinds = {
            "string" if isinstance(v, str) else "boolean" if isinstance(v, bool) else "number"
            for v in node["enum"]
            if v is not None and not isinstance(v, (dict, list))
        }
        return kinds.pop() if len(kinds) == 1 else "any"
    if node.get("format") == "decimal":
        return "string"
    branches = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if isinstance(branches, list):
        kinds = {_kind(b, schemas, depth + 1) for b in branches} - {"null"}
        return kinds.pop() if len(kinds) == 1 else "any"
    return "any"


def _merge_unions(node: Any, schemas: dict[str, Any], in_field: bool = False) -> Any:
    """msgspec decodes a union only if at most one branch is an object, one an array and one
    str-like, unless it is tagged; merge such branches into one (see the section comment)."""
    if isinstance(node, list):
        return [_merge_unions(n, schemas, in_field) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _merge_unions(v, schemas, in_field or k == "properties") for k, v in node.items()}
    for key in ("oneOf", "anyOf"):
        branches = node.get(key)
        if not isinstance(branches, list) or not branches or "discriminator" in node:
            continue
        by_kind: dict[str, list[Any]] = {}
        for branch in branches:
            by_kind.setdefault(_kind(branch, schemas), []).append(branch)
        if not (
            "any" in by_kind
            or any(len(by_kind.get(k, ())) > 1 for k in ("object", "array", "string"))
        ):
            continue
        merged: list[Any] = []
        for kind, group in by_kind.items():
            if kind == "any":
                merged = [{}]
                break
            if kind == "object" and len(group) > 1 and in_field and _classes(group, schemas):
                merged.extend(group)  # classes: `__post_init__` picks the branch (match_unions)
            elif kind == "object" and len(group) > 1:
                merged.append(_merged_object(group, schemas))
            elif kind == "array" and len(group) > 1:
                merged.append({"type": "array", "items": {}})
            elif kind == "string" and len(group) > 1:
                merged.append({"type": "string"})
            else:
                merged.extend(group)
        rest = {k: v for k, v in node.items() if k != key}
        if len(merged) > 1:
            node = {**rest, key: merged}
        else:
            only = merged[0]
            node = {**rest, **({"allOf": [only]} if _ref_name(only) else only)}
    return node


def _classes(group: list[Any], schemas: dict[str, Any]) -> bool:
    """Every branch a `$ref` to an object schema that becomes one Struct class."""
    names = [_ref_name(b) for b in group]
    return all(n in schemas and _taggable_variant(schemas[n], schemas) for n in names if n) and all(
        names
    )


def _merged_object(group: list[Any], schemas: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for branch in group:
        target = _target(branch, schemas)
        props = _flat_properties(target, schemas) if isinstance(target, dict) else {}
        for name, prop in props.items():
            if name in properties and properties[name] != prop:
                properties[name] = {}
            else:
                properties[name] = prop
    return {"type": "object", "properties": properties}


def _flat_properties(
    node: dict[str, Any], schemas: dict[str, Any], depth: int = 0
) -> dict[str, Any]:
    """Properties of an object schema with its allOf branches merged in (later wins)."""
    out: dict[str, Any] = {}
    if depth > 20:
        return out
    for branch in node.get("allOf") or []:
        target = _target(branch, schemas)
        if isinstance(target, dict):
            out.update(_flat_properties(target, schemas, depth + 1))
    props = node.get("properties")
    if isinstance(props, dict):
        out.update(props)
    return out


def _flat_required(node: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> list[str]:
    out: list[str] = []
    if depth > 20:
        return out
    for branch in node.get("allOf") or []:
        target = _target(branch, schemas)
        if isinstance(target, dict):
            out += _flat_required(target, schemas, depth + 1)
    required = node.get("required")
    if isinstance(required, list):
        out += [r for r in required if isinstance(r, str)]
    return list(dict.fromkeys(out))


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, visit)
    elif isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)


# -- tagged unions -------------------------------------------------------------------------

Tag = tuple[str, str]  # (tag field, tag value) of one variant


def tag_plan(schemas: dict[str, Any]) -> dict[str, Tag]:
    """The variants msgspec will tag, and how: a discriminated union is tagged only if its
    branches are distinct `$ref`s to object schemas, its mapping names exactly those branches with
    one value each, and no variant is tagged differently by another union. (A Struct has one
    `tag_field` and one `tag`; a union of Structs that are not all tagged the same way, or of
    anything but Structs, is refused by msgspec.)"""
    sites = [site for site in _sites(schemas) if _site_tags(site, schemas) is not None]
    claims: dict[str, set[Tag]] = {}
    for site in sites:
        for name, tag in (_site_tags(site, schemas) or {}).items():
            claims.setdefault(name, set()).add(tag)
    conflicting = {name for name, tags in claims.items() if len(tags) > 1}
    plan: dict[str, Tag] = {}
    for site in sites:
        tags = _site_tags(site, schemas) or {}
        if not conflicting & set(tags):
            plan.update(tags)
    return plan


def _sites(schemas: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def collect(node: dict[str, Any]) -> None:
        if "discriminator" in node:
            found.append(node)

    for schema in schemas.values():
        _walk(schema, collect)
    return found


_NOT_A_PURE_UNION = frozenset({"properties", "allOf", "additionalProperties", "items"})


def _site_tags(node: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Tag] | None:
    """variant -> tag for a union msgspec can tag on its own, else None."""
    disc = node.get("discriminator")
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return None
    if "oneOf" in node and "anyOf" in node:
        return None
    if any(key in node for key in _NOT_A_PURE_UNION):
        return None  # datamodel-code-generator makes a subclass of each branch, untagged
    branches = node.get("oneOf") or node.get("anyOf")
    if not isinstance(branches, list) or not branches:
        return None
    names = [_ref_name(b) for b in branches]
    if any(
        n is None or n not in schemas or not _taggable_variant(schemas[n], schemas) for n in names
    ):
        return None
    if len(set(names)) != len(names):
        return None
    mapping = disc.get("mapping")
    if not isinstance(mapping, dict):
        return None
    values: dict[str, list[str]] = {}
    for value, target in mapping.items():
        name = _ref_name({"$ref": target})
        if name is None or name not in names:
            return None  # a mapping target the union does not list
        values.setdefault(name, []).append(str(value))
    if any(len(values.get(n or "", ())) != 1 for n in names):
        return None
    return {n: (disc["propertyName"], values[n][0]) for n in names if n}


def _taggable_variant(schema: Any, schemas: dict[str, Any]) -> bool:
    """An object schema that becomes one Struct class (its allOf flattened into it)."""
    if not isinstance(schema, dict) or "x-positional" in schema:
        return False
    if any(key in schema for key in ("$ref", "oneOf", "anyOf", "enum")):
        return False
    if "additionalProperties" in schema and not _flat_properties(schema, schemas):
        return False  # a map: a dict, not a Struct
    return _kind(schema, schemas) == "object"


def _prepare_tags(schemas: dict[str, Any]) -> dict[str, Any]:
    """Keep a discriminator only where `tag_plan` tags the union; flatten the allOf of its
    variants (a tag field cannot be inherited)."""
    plan = tag_plan(schemas)

    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(n) for n in node]
        if not isinstance(node, dict):
            return node
        keep = "discriminator" not in node or _tagged_site(node, plan, schemas)
        return {k: strip(v) for k, v in node.items() if keep or k != "discriminator"}

    out = {name: strip(schema) for name, schema in schemas.items()}
    for name in sorted(plan):
        schema = out.get(name)
        if isinstance(schema, dict) and "allOf" in schema:
            flat = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required")}
            flat["type"] = "object"
            flat["properties"] = _flat_properties(schema, schemas)
            required = _flat_required(schema, schemas)
            if required:
                flat["required"] = required
            out[name] = flat
    return out


def _tagged_site(node: dict[str, Any], plan: dict[str, Tag], schemas: dict[str, Any]) -> bool:
    tags = _site_tags(node, schemas)
    return tags is not None and all(plan.get(name) == tag for name, tag in tags.items())


_CONSTRAINTS = {
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "patternProperties",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
    "unevaluatedProperties",
    "unevaluatedItems",
    "prefixItems",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "$defs",
    "definitions",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "$comment",
    "$vocabulary",
    "xml",
    "externalDocs",
    "example",
    "examples",
    "default",
}
_SCHEMA_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}


def _tolerant(schema: Any) -> Any:
    """Models decode what servers send: drop constraints from every shape, and anything
    datamodel-code-generator or msgspec cannot use; `const` becomes a one-value enum."""
    if isinstance(schema, list):
        return [_tolerant(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _CONSTRAINTS and not (
            key == "additionalProperties" and not schema.get("properties")
        ):
            continue
        if key == "properties":
            if isinstance(value, dict):
                out[key] = {
                    str(k): _tolerant(v) if isinstance(v, dict) else {} for k, v in value.items()
                }
        elif key == "required":
            if isinstance(value, list) and isinstance(schema.get("properties"), dict):
                names = dict.fromkeys(r for r in value if isinstance(r, str))
                out[key] = [r for r in names if r in schema["properties"]]
                if not out[key]:
                    del out[key]
        elif key == "items":
            out[key] = _tolerant(value) if isinstance(value, dict) else {}
        elif key == "additionalProperties":
            out[key] = _tolerant(value) if isinstance(value, (dict, bool)) else True
        elif key in ("allOf", "oneOf", "anyOf"):
            if isinstance(value, list) and value:
                out[key] = [_tolerant(v) if isinstance(v, dict) else {} for v in value]
        elif key == "type":
            if isinstance(value, str) and value in _SCHEMA_TYPES:
                out[key] = value
            elif isinstance(value, list):
                kept = list(
                    dict.fromkeys(t for t in value if isinstance(t, str) and t in _SCHEMA_TYPES)
                )
                if kept:
                    out[key] = kept if len(kept) > 1 else kept[0]
        elif key == "enum":
            if isinstance(value, list) and value:
                out[key] = value
        elif key == "const":
            out.setdefault("enum", [value])
        elif key == "discriminator":
            if isinstance(value, dict):
                out[key] = value
        elif key in ENUM_KEYS:
            continue  # an enum class is its own schema (see _ENUM_PLACEHOLDER)
        elif key == "$ref" or key in ("description", "title"):
            if isinstance(value, str):
                out[key] = value
        elif key in ("nullable", "readOnly", "writeOnly", "deprecated"):
            if isinstance(value, bool):
                out[key] = value
        elif key == "format":
            if value == "byte":  # base64 text: msgspec decodes it to bytes
                out[key] = "binary"
            elif value in _FORMATS:
                out[key] = value
        else:
            out[key] = _tolerant(value)
    if (
        "allOf" in out
        and "type" not in out
        and (
            "properties" in out
            or any(
                isinstance(b, dict) and ("properties" in b or b.get("type") == "object")
                for b in out["allOf"]
            )
        )
    ):
        out["type"] = "object"
    if out.get("format") == "decimal" and out.get("type") in (None, "number"):
        out["type"] = "string"  # msgspec decodes Decimal from a string or a number
    return out


# Formats the models decode to their own type (msgspec decodes each from JSON text or numbers);
# any other format (email, uri, ipv4, ...) is a plain str.
_FORMATS = frozenset({
    "date-time", "date", "time", "duration", "uuid", "binary", "decimal",
    "int32", "int64", "float", "double",
})  # fmt: skip
# String formats datamodel-code-generator decodes to a str-like type that is not `str`: a union
# with a `Literal[str]` would hold two str-like types.
_NOT_STR_FORMATS = frozenset({"binary", "decimal", "duration", "date-time", "date", "time", "uuid"})


def _open_enums(node: Any) -> Any:
    """`{enum: [...]}` -> `Literal[...] | <type>` (see the section comment)."""
    if isinstance(node, list):
        return [_open_enums(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: (v if k == "enum" else _open_enums(v)) for k, v in node.items()}
    if k_enum := node.get("enum"):
        return _open_enum(node, k_enum)
    return node


def _open_enum(node: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    rest = {k: v for k, v in node.items() if k not in ("enum", "type")}
    declared = node.get("type")
    declared_types = (
        set(declared) if isinstance(declared, list) else {declared} if declared else set()
    )
    nullable = None in values or "null" in declared_types or bool(node.get("nullable"))
    values = [v for v in values if v is not None]
    kinds = {_enum_kind(v) for v in values}
    if declared_types - {"null"}:
        kinds_declared = declared_types - {"null"}
        if len(kinds_declared) == 1 and kinds != kinds_declared:
            kinds = kinds_declared  # values that do not fit the declared type: trust the type
            values = []
    if len(kinds) != 1:
        out = dict(rest)
        if kinds <= {"integer", "number"} and kinds:
            out["type"] = "number"
        if nullable:
            out["nullable"] = True
        return out
    kind = kinds.pop()
    not_str = kind == "string" and node.get("format") in _NOT_STR_FORMATS
    if kind not in ("string", "integer") or not values or not_str:
        out = {**rest, "type": kind}
        if nullable:
            out["nullable"] = True
        return out
    unique_values = list(dict.fromkeys(values))
    out = {**rest, "anyOf": [{"type": kind, "enum": unique_values}, {"type": kind}]}
    if nullable:
        out["nullable"] = True
    return out


def _enum_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"
