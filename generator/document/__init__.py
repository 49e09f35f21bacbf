"""The document model: each OpenAPI/AsyncAPI document loaded and walked once into typed nodes.

`build_model(doc)` gives an `OpenAPIModel` or `AsyncAPIModel` (see `nodes.py`): operations with
their parameters (style/explode/content), bodies with their encodings, responses, security,
servers and extensions; AsyncAPI channels, operations, messages with payloads, headers and
bindings; every example with the schema it must satisfy; and on every node the `Location`
(file, line, JSON pointer) it really lives at, in whichever file a `$ref` led to.
"""

from __future__ import annotations

from generator.document.asyncapi import build_asyncapi
from generator.document.nodes import (
    AsyncAPIModel,
    AsyncOperation,
    AsyncServer,
    Channel,
    ChannelParameter,
    DocumentModel,
    Encoding,
    Example,
    Extension,
    Header,
    Location,
    MediaType,
    Message,
    MessageExample,
    OpenAPIComponents,
    OpenAPIModel,
    Operation,
    Parameter,
    PathItem,
    RequestBody,
    Response,
    Schema,
    SecurityScheme,
    Server,
)
from generator.document.openapi import HTTP_METHODS, build_openapi
from generator.load import Document, Resolver


def build_model(doc: Document, resolver: Resolver | None = None) -> DocumentModel | None:
    """The model of an OpenAPI or AsyncAPI document; None for anything else."""
    if doc.kind == "openapi":
        return build_openapi(doc, resolver)
    if doc.kind == "asyncapi":
        return build_asyncapi(doc, resolver)
    return None


__all__ = [
    "HTTP_METHODS",
    "AsyncAPIModel",
    "AsyncOperation",
    "AsyncServer",
    "Channel",
    "ChannelParameter",
    "DocumentModel",
    "Encoding",
    "Example",
    "Extension",
    "Header",
    "Location",
    "MediaType",
    "Message",
    "MessageExample",
    "OpenAPIComponents",
    "OpenAPIModel",
    "Operation",
    "Parameter",
    "PathItem",
    "RequestBody",
    "Response",
    "Schema",
    "SecurityScheme",
    "Server",
    "build_asyncapi",
    "build_model",
    "build_openapi",
]
