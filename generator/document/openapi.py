"""Walk an OpenAPI 3.0/3.1 document once into an `OpenAPIModel`."""

from __future__ import annotations

from typing import Any

from generator.document.common import Walker, mapping, optional_text, ref_of, text
from generator.document.common import tags as root_tags
from generator.document.nodes import (
    Encoding,
    Example,
    Header,
    Location,
    MediaType,
    OpenAPIComponents,
    OpenAPIModel,
    Operation,
    Parameter,
    PathItem,
    RequestBody,
    Response,
    Schema,
    SecurityRequirement,
    SecurityScheme,
    Server,
)
from generator.load import Document, Resolver
from generator.problems import join_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def build_openapi(doc: Document, resolver: Resolver | None = None) -> OpenAPIModel:
    """The model of one OpenAPI document (its data must be a mapping)."""
    return _OpenAPIBuilder(doc, resolver or Resolver(doc)).build()


def _security(value: Any) -> list[SecurityRequirement]:
    out: list[SecurityRequirement] = []
    for requirement in value if isinstance(value, list) else []:
        if isinstance(requirement, dict):
            out.append(
                {
                    str(name): [str(s) for s in scopes] if isinstance(scopes, list) else []
                    for name, scopes in requirement.items()
                }
            )
    return out


def _operation_id(value: Any) -> str | None:
    """The operationId as text (a YAML number such as `001` reads as its digits)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value) if str(value).strip() else None


class _OpenAPIBuilder(Walker):
    def build(self) -> OpenAPIModel:
        root = self.doc
        data: dict[str, Any] = root.data
        paths: list[PathItem] = []
        for path, item in mapping(data.get("paths")).items():
            item, doc, pointer = self.follow(item, root, join_pointer("/paths", path))
            if isinstance(item, dict):
                paths.append(self._path_item(path, item, doc, pointer))
        operations: list[Operation] = []
        for path_item in paths:
            item, loc = path_item.raw, path_item.location
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    operations.append(self._operation(path_item, method, op, loc.child(method)))
        components = self._components(mapping(data.get("components")))
        return OpenAPIModel(
            doc=root,
            resolver=self.resolver,
            version=text(data.get("openapi")),
            info=mapping(data.get("info")),
            servers=self._servers(data.get("servers"), root, "/servers"),
            security=_security(data.get("security")),
            paths=paths,
            operations=operations,
            components=components,
            extensions=self.extensions(data, root, ""),
            location=Location.at(root, ""),
            examples=self.examples,
            tags=root_tags(data, root),
            problems=list(self.problems),
        )

    # -------------------------------------------------------------- paths and operations

    def _path_item(self, path: str, item: dict[str, Any], doc: Document, pointer: str) -> PathItem:
        return PathItem(
            path=path,
            parameters=self._parameters(item.get("parameters"), doc, pointer),
            servers=self._servers(item.get("servers"), doc, join_pointer(pointer, "servers")),
            extensions=self.extensions(item, doc, pointer),
            location=Location.at(doc, pointer),
            raw=item,
        )

    def _operation(
        self, item: PathItem, method: str, op: dict[str, Any], loc: Location
    ) -> Operation:
        doc, pointer = loc.doc, loc.pointer
        parameters = self._parameters(op.get("parameters"), doc, pointer)
        body = None
        raw_body, bdoc, bpointer = self.follow(
            op.get("requestBody"), doc, join_pointer(pointer, "requestBody")
        )
        if isinstance(raw_body, dict):
            body = self._request_body(raw_body, bdoc, bpointer)
        responses: list[Response] = []
        for code, response in mapping(op.get("responses")).items():
            found = self._response(
                str(code), response, doc, join_pointer(pointer, "responses", code)
            )
            if found is not None:
                responses.append(found)
        servers = self._servers(op.get("servers"), doc, join_pointer(pointer, "servers"))
        tags = op.get("tags")
        return Operation(
            path=item.path,
            method=method,
            operation_id=_operation_id(op.get("operationId")),
            summary=text(op.get("summary")),
            description=text(op.get("description")),
            tags=[str(t) for t in tags] if isinstance(tags, list) else [],
            deprecated=op.get("deprecated") is True,
            path_parameters=item.parameters,
            parameters=parameters,
            request_body=body,
            responses=responses,
            security=_security(op["security"]) if "security" in op else None,
            servers=servers or item.servers,
            extensions=self.extensions(op, doc, pointer),
            location=loc,
            raw=op,
        )

    def _servers(self, value: Any, doc: Document, pointer: str) -> list[Server]:
        out: list[Server] = []
        for index, server in enumerate(value if isinstance(value, list) else []):
            if isinstance(server, dict):
                out.append(
                    Server(
                        url=text(server.get("url")),
                        description=text(server.get("description")),
                        variables=mapping(server.get("variables")),
                        location=Location.at(doc, join_pointer(pointer, index)),
                    )
                )
        return out

    # -------------------------------------------------------------- parameters, bodies, responses

    def _parameters(self, value: Any, doc: Document, pointer: str) -> list[Parameter]:
        """The `parameters` list at doc#pointer (the pointer of its owner)."""
        out: list[Parameter] = []
        if not isinstance(value, list):
            return out
        for index, param in enumerate(value):
            found = self._parameter(param, doc, join_pointer(pointer, "parameters", index))
            if found is not None:
                out.append(found)
        return out

    def _parameter(self, value: Any, doc: Document, pointer: str) -> Parameter | None:
        param, doc, pointer = self.follow(value, doc, pointer)
        if not isinstance(param, dict):
            return None
        content, schema, examples = self._with_schema(param, doc, pointer)
        where = text(param.get("in"))
        style = optional_text(param.get("style")) or DEFAULT_STYLE.get(where, "simple")
        explode = param.get("explode")
        return Parameter(
            name=text(param.get("name")),
            location_in=where,
            required=param.get("required") is True,
            style=style,
            explode=explode if isinstance(explode, bool) else style == "form",
            allow_reserved=param.get("allowReserved") is True,
            deprecated=param.get("deprecated") is True,
            schema=schema,
            content=content,
            examples=examples,
            extensions=self.extensions(param, doc, pointer),
            location=Location.at(doc, pointer),
            raw=param,
        )

    def _header(
        self, name: str, value: Any, doc: Document, pointer: str, collect: bool = True
    ) -> Header | None:
        header, doc, pointer = self.follow(value, doc, pointer)
        if not isinstance(header, dict):
            return None
        content, schema, examples = self._with_schema(header, doc, pointer, collect)
        style = optional_text(header.get("style")) or "simple"
        explode = header.get("explode")
        return Header(
            name=name,
            required=header.get("required") is True,
            style=style,
            explode=explode if isinstance(explode, bool) else False,
            schema=schema,
            content=content,
            examples=examples,
            location=Location.at(doc, pointer),
            raw=header,
        )

    def _with_schema(
        self, obj: dict[str, Any], doc: Document, pointer: str, collect: bool = True
    ) -> tuple[list[MediaType], Schema | None, list[Example]]:
        """A parameter, header or media type: its `content`, its `schema`, and its
        `example`/`examples` (checked against the schema)."""
        content: list[MediaType] = []
        if "content" in obj:  # a parameter/header described by a media type
            content = self._content(obj["content"], doc, join_pointer(pointer, "content"), collect)
        raw_schema = obj.get("schema")
        schema: Schema | None = None
        schema_pointer = join_pointer(pointer, "schema")
        if raw_schema is None:
            pass
        elif collect:
            schema = self.schema(raw_schema, doc, schema_pointer)
        else:
            target, tdoc, tpointer = self.follow(raw_schema, doc, schema_pointer)
            schema = (
                None
                if target is None
                else Schema(target, Location.at(tdoc, tpointer), ref_of(raw_schema))
            )
        # without a (reachable) schema the examples are kept, unchecked: `collect` skips them
        examples = self._examples(obj, doc, pointer, schema)
        if collect:
            for example in examples:
                self.collect(example)
        return content, schema, examples

    def _examples(
        self, obj: dict[str, Any], doc: Document, pointer: str, schema: Schema | None
    ) -> list[Example]:
        """The `example` and `examples[*].value` of a parameter, header or media type."""
        examples: list[Example] = []
        if "example" in obj:
            here = Location.at(doc, join_pointer(pointer, "example"))
            examples.append(Example(obj["example"], here, schema))
        for name, example in mapping(obj.get("examples")).items():
            ex, ex_doc, ex_pointer = self.follow(
                example, doc, join_pointer(pointer, "examples", name)
            )
            if isinstance(ex, dict) and "value" in ex:
                here = Location.at(ex_doc, join_pointer(ex_pointer, "value"))
                summary = text(ex.get("summary"))
                examples.append(Example(ex["value"], here, schema, str(name), summary))
        return examples

    def _content(
        self, value: Any, doc: Document, pointer: str, collect: bool = True
    ) -> list[MediaType]:
        out: list[MediaType] = []
        for media, raw in mapping(value).items():
            media_type, mdoc, mpointer = self.follow(raw, doc, join_pointer(pointer, media))
            if not isinstance(media_type, dict):
                continue
            _, schema, examples = self._with_schema(media_type, mdoc, mpointer, collect)
            encoding: list[Encoding] = []
            for prop, enc in mapping(media_type.get("encoding")).items():
                if isinstance(enc, dict):
                    encoding.append(
                        self._encoding(
                            str(prop), enc, mdoc, join_pointer(mpointer, "encoding", prop)
                        )
                    )
            named = media_type.get("examples")
            out.append(
                MediaType(
                    media_type=str(media),
                    schema=schema,
                    encoding=encoding,
                    examples=examples,
                    has_examples="example" in media_type
                    or (isinstance(named, dict) and bool(named)),
                    location=Location.at(mdoc, mpointer),
                    raw=media_type,
                    values=examples or self._examples(media_type, mdoc, mpointer, None),
                )
            )
        return out

    def _encoding(self, prop: str, enc: dict[str, Any], doc: Document, pointer: str) -> Encoding:
        headers: list[Header] = []
        for name, raw in mapping(enc.get("headers")).items():
            # encoding headers are modelled but their examples are not checked (as before)
            found = self._header(str(name), raw, doc, join_pointer(pointer, "headers", name), False)
            if found is not None:
                headers.append(found)
        explode = enc.get("explode")
        return Encoding(
            property=prop,
            content_type=optional_text(enc.get("contentType")),
            style=optional_text(enc.get("style")),
            explode=explode if isinstance(explode, bool) else None,
            allow_reserved=enc.get("allowReserved") is True,
            headers=headers,
            location=Location.at(doc, pointer),
        )

    def _request_body(self, body: dict[str, Any], doc: Document, pointer: str) -> RequestBody:
        return RequestBody(
            required=body.get("required") is True,
            description=text(body.get("description")),
            content=self._content(body.get("content"), doc, join_pointer(pointer, "content")),
            location=Location.at(doc, pointer),
            raw=body,
        )

    def _response(self, status: str, value: Any, doc: Document, pointer: str) -> Response | None:
        response, doc, pointer = self.follow(value, doc, pointer)
        if not isinstance(response, dict):
            return None
        content = self._content(response.get("content"), doc, join_pointer(pointer, "content"))
        headers: list[Header] = []
        for name, raw in mapping(response.get("headers")).items():
            found = self._header(str(name), raw, doc, join_pointer(pointer, "headers", name))
            if found is not None:
                headers.append(found)
        return Response(
            status=status,
            description=text(response.get("description")),
            content=content,
            headers=headers,
            location=Location.at(doc, pointer),
            raw=response,
        )

    # -------------------------------------------------------------- components

    def _components(self, components: dict[str, Any]) -> OpenAPIComponents:
        root = self.doc
        out = OpenAPIComponents()
        for section, items in components.items():
            if not isinstance(items, dict):
                continue
            for name, item in items.items():
                here = join_pointer("/components", section, name)
                if section == "schemas":
                    schema = self.schema(item, root, here)
                    if schema is not None:
                        out.schemas[name] = schema
                elif section == "parameters":
                    param = self._parameter(item, root, here)
                    if param is not None:
                        out.parameters[name] = param
                elif section == "headers":
                    header = self._header(name, item, root, here)
                    if header is not None:
                        out.headers[name] = header
                elif section == "requestBodies" and isinstance(item, dict):
                    # not followed: a `$ref` here is walked where it points
                    out.request_bodies[name] = self._request_body(item, root, here)
                elif section == "responses":
                    response = self._response(name, item, root, here)
                    if response is not None:
                        out.responses[name] = response
                elif section == "securitySchemes":
                    scheme, sdoc, spointer = self.follow(item, root, here)
                    if isinstance(scheme, dict):
                        out.security_schemes[name] = SecurityScheme(
                            name=name,
                            type=text(scheme.get("type")),
                            raw=scheme,
                            extensions=self.extensions(scheme, sdoc, spointer),
                            location=Location.at(sdoc, spointer),
                        )
        return out
