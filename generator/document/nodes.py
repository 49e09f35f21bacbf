"""The typed document model: what later stages read instead of walking raw dicts.

Every node has a `Location`: the file, line and JSON pointer where it really lives (after
following `$ref`s, so a node from another file names that file). `raw` is the node's resolved
mapping as written, for the odd field the model does not name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.load import Document, Resolver
from generator.problems import Problem, Severity, join_pointer


@dataclass(frozen=True)
class Location:
    """Where a node lives: file (as loaded), line (1-based, None if unknown) and JSON pointer."""

    file: str
    line: int | None
    pointer: str
    doc: Document = field(compare=False, repr=False)

    @classmethod
    def at(cls, doc: Document, pointer: str) -> Location:
        file, line = doc.origin(pointer)
        return cls(file, line, pointer, doc)

    def child(self, *tokens: object) -> Location:
        return Location.at(self.doc, join_pointer(self.pointer, *tokens))

    def problem(
        self, message: str, source: str = "generator", severity: Severity = Severity.ERROR
    ) -> Problem:
        return self.doc.problem(self.pointer, message, source, severity=severity)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}#{self.pointer}"


@dataclass(frozen=True)
class Extension:
    """One `x-` key and its value."""

    name: str
    value: Any
    location: Location


Extensions = dict[str, Extension]


@dataclass(frozen=True)
class Schema:
    """A schema reached through `$ref`s: its resolved value and where it really lives."""

    value: dict[str, Any] | bool
    location: Location
    ref: str | None = None  # the `$ref` written where the schema is used (None: written inline)

    @property
    def via_ref(self) -> bool:
        """Reached through a `$ref` (a named schema: types keep its name)."""
        return self.ref is not None


@dataclass(frozen=True)
class Example:
    """One example value and the schema it must satisfy (None when there is no JSON schema)."""

    value: Any
    location: Location  # of the value itself
    schema: Schema | None
    name: str | None = None  # the key in an OpenAPI `examples` map
    summary: str = ""  # an OpenAPI Example Object's `summary`


@dataclass(frozen=True)
class Tag:
    """One entry of the document's `tags` list."""

    name: str
    description: str
    location: Location


# ------------------------------------------------------------------ OpenAPI


@dataclass(frozen=True)
class Server:
    url: str
    description: str
    variables: dict[str, Any]
    location: Location


@dataclass(frozen=True)
class Encoding:
    """An OpenAPI Encoding Object: how one property of a multipart/form body is serialized."""

    property: str
    content_type: str | None
    style: str | None
    explode: bool | None
    allow_reserved: bool
    headers: list[Header]
    location: Location


@dataclass(frozen=True)
class MediaType:
    media_type: str
    schema: Schema | None
    encoding: list[Encoding]
    examples: list[Example]  # checked against `schema`: none when there is no schema
    has_examples: bool  # an `example` or a non-empty `examples` map
    location: Location
    raw: dict[str, Any]
    # every `example` / `examples[*].value`, with or without a schema (a mock answers with them)
    values: list[Example] = field(default_factory=list)


@dataclass(frozen=True)
class Parameter:
    """A parameter with its serialization: `style`/`explode` (defaults applied) or `content`."""

    name: str
    location_in: str  # "path" | "query" | "header" | "cookie"
    required: bool
    style: str
    explode: bool
    allow_reserved: bool
    deprecated: bool
    schema: Schema | None
    content: list[MediaType]
    examples: list[Example]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    style: str
    explode: bool
    schema: Schema | None
    content: list[MediaType]
    examples: list[Example]
    location: Location
    raw: dict[str, Any]


@dataclass(frozen=True)
class RequestBody:
    required: bool
    description: str
    content: list[MediaType]
    location: Location
    raw: dict[str, Any]


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    description: str
    content: list[MediaType]
    headers: list[Header]
    location: Location
    raw: dict[str, Any]


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str
    raw: dict[str, Any]
    extensions: Extensions
    location: Location


# One requirement: scheme name -> scopes; an empty requirement `{}` means "no auth is fine".
SecurityRequirement = dict[str, list[str]]


@dataclass(frozen=True)
class Operation:
    path: str
    method: str  # lower case
    operation_id: str | None
    summary: str
    description: str
    tags: list[str]
    deprecated: bool
    path_parameters: list[Parameter]  # declared on the path item
    parameters: list[Parameter]  # declared on the operation
    request_body: RequestBody | None
    responses: list[Response]
    security: list[SecurityRequirement] | None  # None: the document's default applies
    servers: list[Server]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]

    @property
    def effective_parameters(self) -> list[Parameter]:
        """Operation parameters override path-item ones with the same name and `in`."""
        own = {(p.name, p.location_in) for p in self.parameters}
        inherited = [p for p in self.path_parameters if (p.name, p.location_in) not in own]
        return inherited + self.parameters


@dataclass(frozen=True)
class PathItem:
    path: str
    parameters: list[Parameter]
    servers: list[Server]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]


@dataclass
class OpenAPIComponents:
    schemas: dict[str, Schema] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    headers: dict[str, Header] = field(default_factory=dict)
    request_bodies: dict[str, RequestBody] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)
    security_schemes: dict[str, SecurityScheme] = field(default_factory=dict)


@dataclass
class OpenAPIModel:
    doc: Document
    resolver: Resolver
    version: str  # as written, e.g. "3.0.3"
    info: dict[str, Any]
    servers: list[Server]
    security: list[SecurityRequirement]
    paths: list[PathItem]
    operations: list[Operation]
    components: OpenAPIComponents
    extensions: Extensions
    location: Location
    # every example with the schema it must satisfy, each (value, schema) location once, in
    # document order: path parameters, operations, then components
    examples: list[Example]
    tags: list[Tag] = field(default_factory=list)
    # every `$ref` the walk could not follow (it read as nothing), located where it is written
    problems: list[Problem] = field(default_factory=list)


# ------------------------------------------------------------------ AsyncAPI


@dataclass(frozen=True)
class MessageExample:
    """One entry of a message's `examples`: its `payload` and `headers` parts (if present)."""

    name: str | None
    payload: Example | None
    headers: Example | None
    location: Location
    raw: dict[str, Any]
    summary: str = ""


@dataclass(frozen=True)
class Message:
    key: str | None  # the name under components/messages, if it lives there
    name: str | None  # the `name` field
    message_id: str | None
    content_type: str | None
    schema_format: str | None
    payload: Schema | None  # None when absent or not JSON Schema
    headers: Schema | None
    examples: list[MessageExample]
    has_examples: bool  # its own `examples` or a trait's are a non-empty list
    bindings: dict[str, Any]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]
    title: str = ""
    summary: str = ""
    description: str = ""
    # the schema format of `payload` (3.0: the multi-format schema's own) and where it is written
    payload_format: str | None = None
    payload_format_location: Location | None = None
    # a trait's examples, used when the message has no `examples` of its own (not checked)
    trait_examples: list[MessageExample] = field(default_factory=list)
    correlation_id: str | None = None  # the Correlation ID Object's `location` expression


@dataclass(frozen=True)
class ChannelParameter:
    name: str
    schema: Schema | None
    location: Location
    raw: dict[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Channel:
    key: str  # the key under `channels`
    address: str | None  # the 3.0 `address` (None when null or absent), the key in 2.x
    parameters: list[ChannelParameter]
    messages: list[Message]
    bindings: dict[str, Any]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]
    servers: list[str] = field(default_factory=list)  # names of the servers it is limited to
    description: str = ""


@dataclass(frozen=True)
class AsyncOperation:
    """A 3.0 operation, or a 2.x channel's `publish`/`subscribe`."""

    key: str  # the key under `operations`, or "<channel>/publish"
    action: str  # "send" / "receive" (3.0), "publish" / "subscribe" (2.x)
    channel: Channel | None
    operation_id: str | None
    messages: list[Message]  # 3.0: none listed means every message of the channel
    reply: dict[str, Any] | None  # 3.0 Operation Reply, resolved
    reply_messages: list[Message]
    bindings: dict[str, Any]
    extensions: Extensions
    location: Location
    raw: dict[str, Any]
    title: str = ""
    summary: str = ""
    description: str = ""
    reply_location: Location | None = None


@dataclass(frozen=True)
class AsyncServer:
    name: str
    url: str  # 2.x `url`, or 3.0 host + pathname
    protocol: str
    variables: dict[str, Any]  # name -> Server Variable Object ($refs followed)
    security: list[SecurityRequirement]
    bindings: dict[str, Any]
    location: Location
    raw: dict[str, Any]


@dataclass
class AsyncAPIModel:
    doc: Document
    resolver: Resolver
    version: str  # full, e.g. "2.6.0"
    info: dict[str, Any]
    servers: list[AsyncServer]
    channels: list[Channel]
    operations: list[AsyncOperation]
    # every message (components, then channels), each real location once, `oneOf` expanded
    messages: list[Message]
    component_messages: dict[str, Message]
    schemas: dict[str, Schema]
    extensions: Extensions
    location: Location
    examples: list[Example]
    tags: list[Tag] = field(default_factory=list)
    # every `$ref` the walk could not follow (it read as nothing), located where it is written
    problems: list[Problem] = field(default_factory=list)
    default_content_type: str | None = None


DocumentModel = OpenAPIModel | AsyncAPIModel
