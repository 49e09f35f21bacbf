"""Answers the spec does not spell out: a deterministic value valid against a response schema.

Like Prism's dynamic mode, but the same value every time. `Synthesizer.answer(schema, doc,
pointer, examples)` picks, in order: the first example valid against the schema; an example that
is JSON text whose decoded value is valid (real specs often quote their examples); a value built
from the schema. The built value takes, per subschema, a valid `example`/`default`/first `enum`
value, else one made from the type: every property of an object (only the required ones past a
depth, and on a `$ref` cycle), `minItems` items (at least one, `maxItems` allowing), a string fit
for its `format` and length bounds, the smallest number the bounds allow. For a oneOf/anyOf the
first branch whose value the union accepts is taken. When a oneOf's object branches all accept
each other's values (no `required`, open objects), the branch's value gets, for every other
branch that accepts it, one property that branch declares with a value it rejects (a numeric
string for a number, which clients reading numbers from strings still decode), so that exactly
one branch matches.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from generator.load import Document, Resolver
from generator.problems import SpecError, join_pointer

_DEPTH = 6  # past this nesting, objects carry only their required properties
_MISFITS: tuple[Any, ...] = ("", 0, False, [], {})  # tried in turn: a value a schema rejects
_FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "duration": "P1D",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uri-reference": "/",
    "iri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "byte": "AA==",
    "binary": "",
    "password": "secret",
    "decimal": "0",
    "int64": "0",
}


class Synthesizer:
    """Builds schema-valid values for one document (see the module docstring)."""

    def __init__(self, doc: Document, resolver: Resolver) -> None:
        from generator.validate import Kind, detect_kind
        from generator.validate.common import _Context

        self.resolver = resolver
        kind = detect_kind(doc)
        self.ctx = _Context(
            doc, resolver, kind if isinstance(kind, Kind) else Kind("openapi", "3.0")
        )
        self._validators: dict[tuple[str, str], Any] = {}

    # -- validity -----------------------------------------------------------------------------
    def valid(self, value: Any, schema: Any, doc: Document, pointer: str) -> bool:
        """Whether `value` is valid against the schema at doc#pointer (a broken schema: yes)."""
        from generator.validate.examples import _validator_for

        key = (str(doc.path), pointer)
        if key not in self._validators:
            try:
                self._validators[key] = _validator_for(self.ctx, schema, doc, pointer)
            except Exception:  # noqa: BLE001 - a schema jsonschema cannot apply accepts anything
                self._validators[key] = None
        validator = self._validators[key]
        if validator is None:
            return True
        try:
            return bool(validator.is_valid(value))
        except Exception:  # noqa: BLE001 - e.g. a pattern Python's re cannot compile
            return True

    # -- answers ------------------------------------------------------------------------------
    def answer(self, schema: Any, doc: Document, pointer: str, examples: Iterable[Any] = ()) -> Any:
        examples = list(examples)
        for example in examples:
            if self.valid(example, schema, doc, pointer):
                return example
        for example in examples:
            if isinstance(example, str):
                try:
                    decoded = json.loads(example)
                except ValueError:
                    continue
                if self.valid(decoded, schema, doc, pointer):
                    return decoded
        return self.value(schema, doc, pointer)

    def value(self, schema: Any, doc: Document, pointer: str) -> Any:
        """A value built from the schema at doc#pointer (valid when the schema can be met)."""
        return self._value(schema, doc, pointer, 0, frozenset())

    def _value(
        self, schema: Any, doc: Document, pointer: str, depth: int, seen: frozenset[tuple[str, str]]
    ) -> Any:
        try:
            located = self.resolver.follow(schema, doc, pointer)
        except SpecError:
            return None
        node, doc, pointer = located.value, located.doc, located.pointer
        key = (str(doc.path), pointer)
        cycle = key in seen
        seen = seen | {key}
        if node is True or not isinstance(node, dict):
            return {}
        if "const" in node:
            return node["const"]
        for word in ("example", "default"):
            if word in node and self.valid(node[word], node, doc, pointer):
                return node[word]
        examples = node.get("examples")
        if isinstance(examples, list) and examples and self.valid(examples[0], node, doc, pointer):
            return examples[0]
        enum = node.get("enum")
        if isinstance(enum, list) and enum:
            return next((v for v in enum if v is not None), enum[0])
        for word in ("oneOf", "anyOf"):
            branches = node.get(word)
            if isinstance(branches, list) and branches:
                return self._union(node, doc, pointer, word, branches, depth, seen)
        kind = _type_of(node)
        if kind == "object" or (kind is None and _objectish(node)):
            return self._object(node, doc, pointer, depth, seen, cycle)
        if kind == "array":
            return self._array(node, doc, pointer, depth, seen, cycle)
        if kind == "string":
            return _string(node)
        if kind in ("integer", "number"):
            return _number(node, kind == "integer")
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        all_of = node.get("allOf")
        if isinstance(all_of, list) and all_of:  # a non-object allOf: its first branch
            return self._value(all_of[0], doc, join_pointer(pointer, "allOf", 0), depth, seen)
        return {}

    def _union(
        self,
        node: dict[str, Any],
        doc: Document,
        pointer: str,
        word: str,
        branches: list[Any],
        depth: int,
        seen: frozenset[tuple[str, str]],
    ) -> Any:
        values: list[Any] = []
        for i, branch in enumerate(branches):
            value = self._value(branch, doc, join_pointer(pointer, word, i), depth, seen)
            value = self._with_siblings(node, doc, pointer, value, depth, seen)
            if self.valid(value, node, doc, pointer):
                return value
            values.append(value)
        for i, value in enumerate(values if word == "oneOf" else []):
            exclusive = self._exclusive(value, branches, i, doc, pointer)
            if exclusive is not None and self.valid(exclusive, node, doc, pointer):
                return exclusive
        return values[0]

    def _exclusive(
        self, value: Any, branches: list[Any], i: int, doc: Document, pointer: str
    ) -> dict[str, Any] | None:
        """Branch i's object value, made invalid for every other oneOf branch that accepts it:
        one property that branch declares (and branch i does not) with a value it rejects."""
        if not isinstance(value, dict):
            return None
        out = dict(value)
        own = self._properties(branches[i], doc, join_pointer(pointer, "oneOf", i))
        for j, other in enumerate(branches):
            where = join_pointer(pointer, "oneOf", j)
            if j == i or not self.valid(out, other, doc, where):
                continue
            theirs = self._properties(other, doc, where).items()
            candidates = [(n, s) for n, s in theirs if n not in own and n not in out]
            # first a numeric string for a number: rejected by the schema, yet decoded by a
            # client that reads numbers from strings (a merged union model has the field)
            found = next(
                ((name, "0") for name, s in candidates if self._numeric(*s)),
                next(
                    (
                        (name, m)
                        for m in _MISFITS
                        for name, s in candidates
                        if not self.valid(m, *s)
                    ),
                    None,
                ),
            )
            if found is None:
                return None
            out[found[0]] = found[1]
        return out

    def _numeric(self, schema: Any, doc: Document, pointer: str) -> bool:
        try:
            node = self.resolver.follow(schema, doc, pointer).value
        except SpecError:
            return False
        return isinstance(node, dict) and _type_of(node) in ("integer", "number")

    def _properties(
        self, schema: Any, doc: Document, pointer: str
    ) -> dict[str, tuple[Any, Document, str]]:
        from generator.model.types import merged_properties

        try:
            located = self.resolver.follow(schema, doc, pointer)
        except SpecError:
            return {}
        if not isinstance(located.value, dict):
            return {}
        return merged_properties(located.value, self.resolver, located.doc, located.pointer)

    def _with_siblings(
        self,
        node: dict[str, Any],
        doc: Document,
        pointer: str,
        value: Any,
        depth: int,
        seen: frozenset[tuple[str, str]],
    ) -> Any:
        """A union branch's object value with the union schema's own properties added."""
        if not isinstance(value, dict) or not (_objectish(node) or _type_of(node) == "object"):
            return value
        rest = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "discriminator")}
        extra = self._object(rest, doc, pointer, depth, seen, False)
        return {**extra, **value} if isinstance(extra, dict) else value

    def _object(
        self,
        node: dict[str, Any],
        doc: Document,
        pointer: str,
        depth: int,
        seen: frozenset[tuple[str, str]],
        cycle: bool,
    ) -> dict[str, Any]:
        from generator.model.types import merged_properties

        properties = merged_properties(node, self.resolver, doc, pointer)
        required = set(_required(node, self.resolver, doc, pointer))
        only_required = cycle or depth >= _DEPTH
        out: dict[str, Any] = {}
        for name, (sub, sub_doc, sub_ptr) in properties.items():
            if only_required and name not in required:
                continue
            writes = _read_or_write_only(sub, self.resolver, sub_doc, sub_ptr) == "writeOnly"
            if writes and name not in required:
                continue
            out[name] = self._value(sub, sub_doc, sub_ptr, depth + 1, seen)
        extra = node.get("additionalProperties")
        if not properties and isinstance(extra, dict) and extra and not only_required:
            out["key"] = self._value(
                extra, doc, join_pointer(pointer, "additionalProperties"), depth + 1, seen
            )
        return out

    def _array(
        self,
        node: dict[str, Any],
        doc: Document,
        pointer: str,
        depth: int,
        seen: frozenset[tuple[str, str]],
        cycle: bool,
    ) -> list[Any]:
        low = _int(node.get("minItems"), 0)
        high = _int(node.get("maxItems"), max(low, 1))
        count = min(max(low, 0 if cycle or depth >= _DEPTH else 1), high)
        items = node.get("items")
        if count == 0:
            return []
        if isinstance(items, list):  # a tuple (draft 4 style)
            return [
                self._value(sub, doc, join_pointer(pointer, "items", i), depth + 1, seen)
                for i, sub in enumerate(items[:count])
            ]
        item = self._value(
            items if items is not None else {}, doc, join_pointer(pointer, "items"), depth + 1, seen
        )
        return [item] * count


def _type_of(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str) and k != "null"]
        return kinds[0] if kinds else ("null" if "null" in kind else None)
    return kind if isinstance(kind, str) else None


def _objectish(node: dict[str, Any]) -> bool:
    return any(k in node for k in ("properties", "additionalProperties", "required", "allOf"))


def _required(
    node: Any, resolver: Resolver, doc: Document, pointer: str, depth: int = 0
) -> list[str]:
    out = (
        [r for r in node.get("required", []) if isinstance(r, str)]
        if isinstance(node, dict)
        else []
    )
    for i, branch in enumerate(node.get("allOf", []) if isinstance(node, dict) else []):
        try:
            located = resolver.follow(branch, doc, join_pointer(pointer, "allOf", i))
        except SpecError:
            continue
        if depth < 20:
            out += _required(located.value, resolver, located.doc, located.pointer, depth + 1)
    return out


def _read_or_write_only(sub: Any, resolver: Resolver, doc: Document, pointer: str) -> str | None:
    try:
        node = resolver.follow(sub, doc, pointer).value
    except SpecError:
        return None
    if isinstance(node, dict):
        for word in ("writeOnly", "readOnly"):
            if node.get(word) is True:
                return word
    return None


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _string(node: dict[str, Any]) -> str:
    text = _FORMATS.get(str(node.get("format")), "string")
    low = _int(node.get("minLength"), 0)
    high = _int(node.get("maxLength"), max(low, len(text)))
    if len(text) < low:
        text += "x" * (low - len(text))
    return text[:high]


def _number(node: dict[str, Any], integer: bool) -> int | float:
    low, high = node.get("minimum"), node.get("maximum")
    ex_low, ex_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    step = node.get("multipleOf")
    value: float = 0
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        value = low
        if ex_low is True:
            value = low + (step if isinstance(step, (int, float)) else 1)
    if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
        value = max(value, ex_low + (step if isinstance(step, (int, float)) else 1))
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        value = high
    if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool) and value >= ex_high:
        value = ex_high - 1
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
        value = math.ceil(value / step) * step
    return int(value) if integer else value
