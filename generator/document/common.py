"""What both walkers share: following `$ref`s leniently, extensions, and schema examples."""

from __future__ import annotations

from typing import Any

from generator.document.nodes import Example, Extension, Extensions, Location, Schema, Tag
from generator.load import Document, Resolver
from generator.problems import Problem, SpecError, join_pointer

# JSON Schema keywords holding subschemas: a map of them, one, or a list of them.
SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")
SCHEMA_ONE = (
    "additionalProperties", "additionalItems", "not", "contains", "if", "then", "else",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
)  # fmt: skip
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ref_of(value: Any) -> str | None:
    """The `$ref` of a schema as written, if it is one."""
    ref = value.get("$ref") if isinstance(value, dict) else None
    return ref if isinstance(ref, str) else None


def tags(data: dict[str, Any], doc: Document) -> list[Tag]:
    """The root `tags` list: every entry with a `name`."""
    raw = data.get("tags")
    return [
        Tag(str(t["name"]), text(t.get("description")), Location.at(doc, join_pointer("/tags", i)))
        for i, t in enumerate(raw if isinstance(raw, list) else [])
        if isinstance(t, dict) and "name" in t
    ]


class Walker:
    """Follows `$ref`s (a broken one reads as None, and its problem is kept) and collects
    every example with its schema, each (value, schema) location once, in visiting order."""

    def __init__(self, doc: Document, resolver: Resolver) -> None:
        self.doc = doc
        self.resolver = resolver
        self.examples: list[Example] = []
        self._seen_examples: set[tuple[Location, Location]] = set()
        self._visited_schemas: set[tuple[str, str]] = set()
        self.problems: dict[Problem, None] = {}  # `$ref`s that could not be followed, once each

    def follow(self, value: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
        try:
            located = self.resolver.follow(value, doc, pointer)
        except SpecError as exc:
            for problem in exc.problems:
                if problem.file != doc.name and not problem.pointer.endswith("/$ref"):
                    # the other file itself is broken: say so where the `$ref` is written
                    where = problem.file + (f":{problem.line}" if problem.line else "")
                    ref = value.get("$ref") if isinstance(value, dict) else value
                    message = f"$ref {ref!r}: {where}: {problem.message}"
                    problem = doc.problem(join_pointer(pointer, "$ref"), message, "load")
                self.problems[problem] = None
            return None, doc, pointer
        return located.value, located.doc, located.pointer

    def extensions(self, node: Any, doc: Document, pointer: str) -> Extensions:
        if not isinstance(node, dict):
            return {}
        return {
            key: Extension(key, value, Location.at(doc, join_pointer(pointer, key)))
            for key, value in node.items()
            if isinstance(key, str) and key.startswith("x-")
        }

    def collect(self, example: Example) -> Example:
        if example.schema is not None:
            key = (example.location, example.schema.location)
            if key not in self._seen_examples:
                self._seen_examples.add(key)
                self.examples.append(example)
        return example

    def schema(self, value: Any, doc: Document, pointer: str) -> Schema | None:
        """The schema at doc#pointer (followed), after collecting its and its subschemas'
        examples; None if the `$ref` is broken or there is nothing there."""
        self.schema_examples(value, doc, pointer)
        target, tdoc, tpointer = self.follow(value, doc, pointer)
        if target is None:
            return None
        return Schema(target, Location.at(tdoc, tpointer), ref_of(value))

    def schema_examples(self, schema: Any, doc: Document, pointer: str) -> None:
        """`example` / `examples[*]` of this schema and of every subschema, each schema once."""
        schema, doc, pointer = self.follow(schema, doc, pointer)
        if not isinstance(schema, dict):
            return
        key = (doc.key, pointer)
        if key in self._visited_schemas:
            return
        self._visited_schemas.add(key)
        own = Schema(schema, Location.at(doc, pointer))
        if "example" in schema:
            here = Location.at(doc, join_pointer(pointer, "example"))
            self.collect(Example(schema["example"], here, own))
        if isinstance(schema.get("examples"), list):
            for index, value in enumerate(schema["examples"]):
                here = Location.at(doc, join_pointer(pointer, "examples", index))
                self.collect(Example(value, here, own))
        for name, value in schema.items():
            here_pointer = join_pointer(pointer, name)
            if name in SCHEMA_MAPS and isinstance(value, dict):
                for k, v in value.items():
                    self.schema_examples(v, doc, join_pointer(here_pointer, k))
            elif name in SCHEMA_ONE or (name == "items" and not isinstance(value, list)):
                self.schema_examples(value, doc, here_pointer)
            elif (name in SCHEMA_LISTS or name == "items") and isinstance(value, list):
                for i, v in enumerate(value):
                    self.schema_examples(v, doc, join_pointer(here_pointer, i))
