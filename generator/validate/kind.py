"""What a document is: OpenAPI 3.0/3.1 or AsyncAPI 2.0-2.6/3.0, or why it is neither."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.load import Document
from generator.problems import Problem, Source

ASYNCAPI_SCHEMA_VERSIONS = ("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0")


SWAGGER_MESSAGE = (
    "Swagger 2.0 is not supported: convert it to OpenAPI 3 first "
    "(for example `npx swagger2openapi in.yaml -o out.yaml`)"
)


@dataclass(frozen=True)
class Kind:
    family: str  # "openapi" | "asyncapi"
    version: str  # "3.0" / "3.1" for OpenAPI, the full version ("2.6.0") for AsyncAPI


def detect_kind(doc: Document) -> Kind | Problem:
    """What the document is, or one located problem saying why it is nothing we support."""
    data = doc.data
    if data is None:
        message = "the file is empty: expected an OpenAPI or AsyncAPI document"
        return Problem(doc.name, doc.line_of("") or 1, "", message, Source.KIND)
    if not isinstance(data, dict):
        return doc.problem(
            "",
            f"the top level is {_type_name(data)}: expected a mapping "
            "(an OpenAPI 3 or AsyncAPI document)",
            Source.KIND,
        )
    if "swagger" in data and "openapi" not in data:
        return doc.problem("/swagger", SWAGGER_MESSAGE, Source.KIND)
    if "openapi" in data:
        version = data["openapi"]
        if not isinstance(version, str):
            return doc.problem(
                "/openapi",
                f'`openapi` must be a string such as "3.0.3", found {version!r}',
                Source.KIND,
            )
        match = re.fullmatch(r"(3\.[01])\.\d+(-.+)?", version)
        if match is None:
            return doc.problem(
                "/openapi",
                f"unsupported OpenAPI version {version!r}: supported are 3.0.x and 3.1.x",
                Source.KIND,
            )
        return Kind("openapi", match.group(1))
    if "asyncapi" in data:
        version = data["asyncapi"]
        if not isinstance(version, str):
            return doc.problem(
                "/asyncapi",
                f'`asyncapi` must be a string such as "2.6.0", found {version!r}',
                Source.KIND,
            )
        if version not in ASYNCAPI_SCHEMA_VERSIONS:
            supported = ", ".join(ASYNCAPI_SCHEMA_VERSIONS)
            return doc.problem(
                "/asyncapi",
                f"unsupported AsyncAPI version {version!r}: supported are {supported}",
                Source.KIND,
            )
        return Kind("asyncapi", version)
    return doc.problem(
        "",
        "not an OpenAPI or AsyncAPI document: expected a top-level `openapi` or `asyncapi` field",
        Source.KIND,
    )


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__
