"""The document model: each OpenAPI/AsyncAPI document loaded and walked once into typed nodes.

`build_model(doc)` (or `model_of(doc)`, built once per loaded document and shared) gives an `OpenAPIModel` or `AsyncAPIModel` (see `nodes.py`): operations with
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
    Tag,
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


_CACHED = "_document_model"  # where `model_of` keeps a document's model, on the Document itself


def model_of(doc: Document, resolver: Resolver | None = None) -> DocumentModel | None:
    """`build_model`, once per loaded Document: every stage that asks shares one walk."""
    cached: DocumentModel | None = vars(doc).get(_CACHED)
    if cached is None:
        cached = build_model(doc, resolver)
        vars(doc)[_CACHED] = cached
    return cached


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
    "Tag",
    "build_asyncapi",
    "build_model",
    "build_openapi",
    "model_of",
]
