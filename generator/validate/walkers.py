"""Walks over the raw document: operations, messages, and the examples with their schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.load import Document, Located, Resolver
from generator.problems import Problem, SpecError, join_pointer
from generator.validate.common import _SCHEMA_LISTS, _SCHEMA_MAPS, _SCHEMA_ONE, _Context, _follow
from generator.validate.kind import detect_kind

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    data: dict[str, Any]
    doc: Document
    pointer: str


def openapi_operations(doc: Document) -> list[Operation]:
    """Every operation of an OpenAPI document (path items reached through `$ref` included)."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem) or kind.family != "openapi":
        return []
    walker = _OpenAPIWalker(_Context(doc, Resolver(doc), kind))
    return [Operation(*found) for found in walker.operations()]


def asyncapi_messages(doc: Document) -> list[Located]:
    """Every message of an AsyncAPI document (components and channels), each location once."""
    kind = detect_kind(doc)
    if isinstance(kind, Problem) or kind.family != "asyncapi":
        return []
    walker = _AsyncAPIWalker(_Context(doc, Resolver(doc), kind))
    return [Located(message, mdoc, pointer) for message, mdoc, pointer in walker.messages()]


@dataclass(frozen=True)
class ExampleCheck:
    """One example value and the schema it must satisfy, both located."""

    value: Any
    doc: Document
    pointer: str  # where the example value is
    schema: Any
    schema_doc: Document
    schema_pointer: str


class _Walker:
    """Visits schemas (following `$ref`s into other files, each location once)."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.visited: set[tuple[str, str]] = set()

    def follow(self, value: Any, doc: Document, pointer: str) -> tuple[Any, Document, str]:
        try:
            return _follow(self.ctx, value, doc, pointer)
        except SpecError:
            return None, doc, pointer  # reported by the $ref check

    def schema_examples(self, schema: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        """`example` / `examples[*]` of this schema and of every subschema."""
        schema, doc, pointer = self.follow(schema, doc, pointer)
        if not isinstance(schema, dict):
            return
        key = (str(doc.path.resolve()), pointer)
        if key in self.visited:
            return
        self.visited.add(key)
        if "example" in schema:
            yield ExampleCheck(
                schema["example"], doc, join_pointer(pointer, "example"), schema, doc, pointer
            )
        if isinstance(schema.get("examples"), list):
            for index, value in enumerate(schema["examples"]):
                yield ExampleCheck(
                    value, doc, join_pointer(pointer, "examples", index), schema, doc, pointer
                )
        for name, value in schema.items():
            here = join_pointer(pointer, name)
            if name in _SCHEMA_MAPS and isinstance(value, dict):
                for k, v in value.items():
                    yield from self.schema_examples(v, doc, join_pointer(here, k))
            elif name in _SCHEMA_ONE or (name == "items" and not isinstance(value, list)):
                yield from self.schema_examples(value, doc, here)
            elif (name in _SCHEMA_LISTS or name == "items") and isinstance(value, list):
                for i, v in enumerate(value):
                    yield from self.schema_examples(v, doc, join_pointer(here, i))


class _OpenAPIWalker(_Walker):
    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], Document, str]]:
        """(path, method, operation, doc, pointer) for every operation."""
        paths = self.ctx.doc.data.get("paths")
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item, doc, pointer = self.follow(item, self.ctx.doc, join_pointer("/paths", path))
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield path, method, op, doc, join_pointer(pointer, method)

    def _content(self, content: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if not isinstance(content, dict):
            return
        for media, media_type in content.items():
            yield from self._with_schema(media_type, doc, join_pointer(pointer, media))

    def _with_schema(self, obj: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        """A media type, parameter or header: its `example`/`examples` against its `schema`."""
        obj, doc, pointer = self.follow(obj, doc, pointer)
        if not isinstance(obj, dict):
            return
        if "content" in obj:  # parameter/header described by a media type
            yield from self._content(obj["content"], doc, join_pointer(pointer, "content"))
        schema = obj.get("schema")
        if schema is None:
            return
        schema_pointer = join_pointer(pointer, "schema")
        yield from self.schema_examples(schema, doc, schema_pointer)
        target, target_doc, target_pointer = self.follow(schema, doc, schema_pointer)
        if target is None:
            return
        if "example" in obj:
            yield ExampleCheck(
                obj["example"],
                doc,
                join_pointer(pointer, "example"),
                target,
                target_doc,
                target_pointer,
            )
        examples = obj.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                ex, ex_doc, ex_pointer = self.follow(
                    example, doc, join_pointer(pointer, "examples", name)
                )
                if isinstance(ex, dict) and "value" in ex:
                    yield ExampleCheck(
                        ex["value"],
                        ex_doc,
                        join_pointer(ex_pointer, "value"),
                        target,
                        target_doc,
                        target_pointer,
                    )

    def _parameters(self, params: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if isinstance(params, list):
            for index, param in enumerate(params):
                yield from self._with_schema(param, doc, join_pointer(pointer, index))

    def _responses(self, responses: Any, doc: Document, pointer: str) -> Iterator[ExampleCheck]:
        if not isinstance(responses, dict):
            return
        for code, response in responses.items():
            response, rdoc, rpointer = self.follow(response, doc, join_pointer(pointer, code))
            if not isinstance(response, dict):
                continue
            yield from self._content(
                response.get("content"), rdoc, join_pointer(rpointer, "content")
            )
            headers = response.get("headers")
            if isinstance(headers, dict):
                for name, header in headers.items():
                    yield from self._with_schema(
                        header, rdoc, join_pointer(rpointer, "headers", name)
                    )

    def examples(self) -> Iterator[ExampleCheck]:
        root = self.ctx.doc
        data = root.data
        paths = data.get("paths")
        if isinstance(paths, dict):
            for path, item in paths.items():
                item, doc, pointer = self.follow(item, root, join_pointer("/paths", path))
                if isinstance(item, dict):
                    yield from self._parameters(
                        item.get("parameters"), doc, join_pointer(pointer, "parameters")
                    )
        for _path, _method, op, doc, pointer in self.operations():
            yield from self._parameters(
                op.get("parameters"), doc, join_pointer(pointer, "parameters")
            )
            body, bdoc, bpointer = self.follow(
                op.get("requestBody"), doc, join_pointer(pointer, "requestBody")
            )
            if isinstance(body, dict):
                yield from self._content(
                    body.get("content"), bdoc, join_pointer(bpointer, "content")
                )
            yield from self._responses(op.get("responses"), doc, join_pointer(pointer, "responses"))
        components = data.get("components")
        if not isinstance(components, dict):
            return
        for section, items in components.items():
            if not isinstance(items, dict):
                continue
            for name, item in items.items():
                here = join_pointer("/components", section, name)
                if section == "schemas":
                    yield from self.schema_examples(item, root, here)
                elif section in ("parameters", "headers"):
                    yield from self._with_schema(item, root, here)
                elif section == "requestBodies" and isinstance(item, dict):
                    yield from self._content(
                        item.get("content"), root, join_pointer(here, "content")
                    )
                elif section == "responses":
                    yield from self._responses(
                        {name: item}, root, join_pointer("/components", section)
                    )


class _AsyncAPIWalker(_Walker):
    def messages(self) -> Iterator[tuple[dict[str, Any], Document, str]]:
        """Every message (components and inline in channels), each real location once."""
        seen: set[tuple[str, str]] = set()
        for message, doc, pointer in self._message_refs():
            message, doc, pointer = self.follow(message, doc, pointer)
            if not isinstance(message, dict):
                continue
            key = (str(doc.path.resolve()), pointer)
            if key in seen:
                continue
            seen.add(key)
            if isinstance(message.get("oneOf"), list) and "payload" not in message:
                for index, sub in enumerate(message["oneOf"]):
                    sub, sdoc, spointer = self.follow(
                        sub, doc, join_pointer(pointer, "oneOf", index)
                    )
                    skey = (str(sdoc.path.resolve()), spointer)
                    if isinstance(sub, dict) and skey not in seen:
                        seen.add(skey)
                        yield sub, sdoc, spointer
                continue
            yield message, doc, pointer

    def _message_refs(self) -> Iterator[tuple[Any, Document, str]]:
        root = self.ctx.doc
        data = root.data
        components = data.get("components")
        if isinstance(components, dict) and isinstance(components.get("messages"), dict):
            for name, message in components["messages"].items():
                yield message, root, join_pointer("/components/messages", name)
        channels = data.get("channels")
        if not isinstance(channels, dict):
            return
        for channel_name, channel in channels.items():
            channel, doc, pointer = self.follow(
                channel, root, join_pointer("/channels", channel_name)
            )
            if not isinstance(channel, dict):
                continue
            for op_name in ("publish", "subscribe"):  # AsyncAPI 2.x
                op = channel.get(op_name)
                if isinstance(op, dict) and "message" in op:
                    yield op["message"], doc, join_pointer(pointer, op_name, "message")
            if isinstance(channel.get("messages"), dict):  # AsyncAPI 3.0
                for name, message in channel["messages"].items():
                    yield message, doc, join_pointer(pointer, "messages", name)

    def payload_schema(
        self, message: dict[str, Any], doc: Document, pointer: str, part: str
    ) -> tuple[Any, Document, str] | None:
        """The JSON schema of a message's `payload`/`headers`, or None if it is not JSON Schema."""
        if part not in message:
            return None
        schema_format = message.get("schemaFormat")
        schema, sdoc, spointer = self.follow(message[part], doc, join_pointer(pointer, part))
        if isinstance(schema, dict) and "schemaFormat" in schema and "schema" in schema:  # 3.0
            schema_format = schema["schemaFormat"]
            schema, sdoc, spointer = self.follow(
                schema["schema"], sdoc, join_pointer(spointer, "schema")
            )
        if schema_format is not None and not _is_json_schema_format(schema_format):
            return None
        if not isinstance(schema, (dict, bool)):
            return None
        return schema, sdoc, spointer

    def examples(self) -> Iterator[ExampleCheck]:
        root = self.ctx.doc
        data = root.data
        components = data.get("components")
        if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
            for name, schema in components["schemas"].items():
                yield from self.schema_examples(
                    schema, root, join_pointer("/components/schemas", name)
                )
        channels = data.get("channels")
        if isinstance(channels, dict):
            for channel_name, channel in channels.items():
                channel, doc, pointer = self.follow(
                    channel, root, join_pointer("/channels", channel_name)
                )
                if isinstance(channel, dict) and isinstance(channel.get("parameters"), dict):
                    for pname, param in channel["parameters"].items():
                        param, pdoc, ppointer = self.follow(
                            param, doc, join_pointer(pointer, "parameters", pname)
                        )
                        if isinstance(param, dict) and "schema" in param:
                            yield from self.schema_examples(
                                param["schema"], pdoc, join_pointer(ppointer, "schema")
                            )
        for message, doc, pointer in self.messages():
            parts = {
                part: self.payload_schema(message, doc, pointer, part)
                for part in ("payload", "headers")
            }
            for located in parts.values():
                if located is not None:
                    yield from self.schema_examples(*located)
            examples = message.get("examples")
            if not isinstance(examples, list):
                continue
            for index, example in enumerate(examples):
                example, edoc, epointer = self.follow(
                    example, doc, join_pointer(pointer, "examples", index)
                )
                if not isinstance(example, dict):
                    continue
                for part, located in parts.items():
                    if part in example and located is not None:
                        yield ExampleCheck(
                            example[part], edoc, join_pointer(epointer, part), *located
                        )


def _is_json_schema_format(schema_format: Any) -> bool:
    if not isinstance(schema_format, str):
        return False
    return schema_format.startswith(
        ("application/vnd.aai.asyncapi", "application/schema+json", "application/schema+yaml")
    )
