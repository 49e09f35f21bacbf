"""Stage 3 for OpenAPI 3.0/3.1: build a `RestApi` from a loaded document.

Any valid document builds, and an invalid one never raises anything but a located SpecError:
each operation and each component schema is built on its own, and whatever goes wrong there (a
problem we detect, or an exception on input nobody foresaw) becomes a problem at its pointer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from generator.document import (
    Location,
    OpenAPIComponents,
    OpenAPIModel,
    Schema,
    SecurityScheme,
    Server,
    model_of,
)
from generator.load import Document, Resolver
from generator.model.ir import (
    AuthScheme,
    Envelope,
    ErrorDef,
    Operation,
    Pagination,
    Param,
    RateLimit,
    RestApi,
    Signature,
)
from generator.model.pytype import BYTES, NONE, PyType, generic, literal, scalar, union
from generator.model.pytype import model as pymodel
from generator.model.schemas import merged_properties
from generator.model.types import TypeMapper, scalar_pytype
from generator.naming import pascal, snake, unique
from generator.problems import Problem, Severity, SpecError, join_pointer

T = TypeVar("T")

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_TYPES = ("application/x-www-form-urlencoded", "application/json", "multipart/form-data")


def build_signature(raw: Any, doc: Document, pointer: str) -> Signature:
    if not isinstance(raw, dict) or "algorithm" not in raw or "payload" not in raw:
        raise SpecError([doc.problem(pointer, "a signature needs 'algorithm' and 'payload'")])
    canonical: dict[str, Any] = raw["canonical"] if isinstance(raw.get("canonical"), dict) else {}
    return Signature(
        algorithm=str(raw["algorithm"]),
        output=str(raw.get("output", "hex-lower")),
        payload=str(raw["payload"]),
        sort=str(canonical.get("sort", "name")),
        values=str(canonical.get("values", "raw")),
        pair=str(canonical.get("pair", "=")),
        join=str(canonical.get("join", "&")),
        exclude=tuple(str(x) for x in canonical.get("exclude", ()) or ()),
        key_parameter=str(raw.get("key-parameter", "")),
        parameter=str(raw.get("parameter", "")),
    )


def build_errors(raw: Any, doc: Document, pointer: str) -> dict[int, ErrorDef]:
    out: dict[int, ErrorDef] = {}
    if raw is not None and not isinstance(raw, dict):
        raise SpecError([doc.problem(pointer, "must map error codes to errors")])
    for code, item in (raw or {}).items():
        where = join_pointer(pointer, code)
        try:
            number = int(code)
        except ValueError:
            raise SpecError(
                [doc.problem(where, f"error code {code!r} is not an integer")]
            ) from None
        if not isinstance(item, dict) or not re.fullmatch(
            r"[A-Z][A-Za-z0-9]*", str(item.get("name", ""))
        ):
            raise SpecError(
                [doc.problem(where, "needs 'name', a class name such as OrderNotFound")]
            )
        out[number] = ErrorDef(
            number,
            item["name"],
            str(item.get("message", "")),
            str(item.get("description", "")),
            bool(item.get("retryable", False)),
        )
    return out


def _rate_limit(raw: Any) -> RateLimit | None:
    if not isinstance(raw, dict):
        return None
    return RateLimit(int(raw["requests"]), float(raw["per"]), str(raw.get("scope", "ip")))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _server_url(servers: list[Server]) -> str:
    if not servers:
        return ""
    server = servers[0]
    url = server.url or "/"
    for name, var in server.variables.items():
        url = url.replace("{" + str(name) + "}", str(_dict(var).get("default", "")))
    return url.rstrip("/")


def _auth_schemes(schemes: dict[str, SecurityScheme]) -> dict[str, AuthScheme]:
    out: dict[str, AuthScheme] = {}
    for name, node in schemes.items():
        scheme = node.raw
        kind = scheme.get("type")
        http_scheme = str(scheme.get("scheme", "")).lower()
        if kind == "apiKey" and scheme.get("in", "header") in ("header", "query", "cookie"):
            out[name] = AuthScheme(
                name, "apiKey", str(scheme.get("in", "header")), str(scheme.get("name", ""))
            )
        elif kind == "http" and http_scheme in ("bearer", "basic"):
            out[name] = AuthScheme(name, http_scheme)
        elif kind in ("oauth2", "openIdConnect"):
            out[name] = AuthScheme(
                name, "bearer"
            )  # the access token, obtained by the caller, as api_key
        # http schemes other than bearer/basic, mutualTLS: the caller passes headers itself (extra_headers)
    return out


# Attributes of the generated clients, and names client.py uses in annotations: no method takes one.
_CLIENT_NAMES = {
    "close",
    "aclose",
    "timeout",
    "base_url",
    "max_retries",
    "with_raw_response",
    "models",
    "httpx",
}
# Names the generated `_operations.py` and `client.py` use inside functions: no argument takes one.
_INTERNAL_NAMES = {"req", "check", "encode", "encode_all", "quote", "raw", "models", "msgspec"}
# Header parameters that OpenAPI says to ignore (the client sets them itself).
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}
_PATH_VARIABLE = re.compile(r"\{([^{}/]+)\}")


def _media_location(media: str) -> str:
    media = media.split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/json" or media.endswith("+json") or media == "text/json":
        return "json"
    return "body"


def _pick_media(content: dict[str, Any]) -> str | None:
    for media in BODY_TYPES:
        if media in content:
            return media
    for media in content:
        if _media_location(media) != "body":
            return media
    return next(iter(content), None)


class _OperationBuilder:
    def __init__(
        self, doc: Document, resolver: Resolver, collector: TypeMapper, api: dict[str, Any]
    ):
        self.doc, self.resolver, self.collector = doc, resolver, collector
        self.signature: Signature | None = api["signature"]
        self.envelope: Envelope | None = api["envelope"]
        self.error_codes: dict[int, ErrorDef] = api["error_codes"]
        self.rate_limit: RateLimit | None = api["rate_limit"]
        self.auth_schemes: dict[str, AuthScheme] = api["auth_schemes"]
        self.root_security = _dict(doc.data).get("security")
        self.warnings: list[Problem] = []
        self.problems: list[
            Problem
        ] = []  # spec errors we can work around: warnings only when lenient
        self.operation_ids: set[str] = set()
        self.py_names: set[str] = set(_CLIENT_NAMES)

    def warn(self, doc: Document, pointer: str, message: str) -> None:
        self.warnings.append(doc.problem(pointer, message, "model", severity=Severity.WARNING))

    def build(
        self,
        path: str,
        method: str,
        op: dict[str, Any],
        path_item: dict[str, Any],
        doc: Document,
        item_ptr: str,
    ) -> Operation:
        """The operation `method` of the path item found at doc#item_ptr (a path item may live
        in another file: every `$ref` and problem of the operation is relative to that file)."""
        root_doc, self.doc = self.doc, doc
        try:
            return self._build(path, method, op, path_item, join_pointer(item_ptr, method))
        finally:
            self.doc = root_doc

    def _build(
        self, path: str, method: str, op: dict[str, Any], path_item: dict[str, Any], pointer: str
    ) -> Operation:
        raw_id = op.get("operationId")
        op_id = (
            str(raw_id)
            if isinstance(raw_id, (str, int, float)) and str(raw_id).strip()
            else f"{method}_{path}"
        )
        fallback = snake(f"{method}_{path}", fallback="op")
        if op_id == f"{method}_{path}":
            self.warn(self.doc, pointer, f"no operationId: named it {fallback!r}")
        duplicate = op_id in self.operation_ids
        self.operation_ids.add(op_id)
        base = snake(op_id, avoid_builtins=True, fallback="") or snake(
            fallback, avoid_builtins=True
        )
        if base in _CLIENT_NAMES:
            base += "_"
        py_name = unique(base, self.py_names)
        if duplicate:
            self.problems.append(
                self.doc.problem(
                    join_pointer(pointer, "operationId"),
                    f"operationId {op_id!r} is used twice: named this one {py_name!r}",
                    "model",
                )
            )
        signed = bool(op.get("x-signed", False))
        if signed and self.signature is None:
            raise SpecError(
                [
                    self.doc.problem(
                        join_pointer(pointer, "x-signed"), "x-signed needs a root x-signature"
                    )
                ]
            )
        hidden = (
            {self.signature.key_parameter, self.signature.parameter}
            if signed and self.signature
            else set()
        )

        params = self._parameters(path, path_item, op, pointer, hidden, set(_INTERNAL_NAMES))
        body_type, body_params, body_required = self._body(
            op, pointer, hidden, op_id, set(_INTERNAL_NAMES)
        )
        taken = {p.py_name for p in params}
        for p in body_params:
            if p.py_name in taken:
                p = dataclasses.replace(p, py_name=unique(p.py_name + "_body", taken))
            taken.add(p.py_name)
            params.append(p)
        params.sort(key=lambda p: (not p.required,))  # required first, stable otherwise

        enveloped = self.envelope is not None and op.get("x-envelope", True) is not False
        result = self._result(op, pointer, op_id, enveloped)
        errors = {
            **self.error_codes,
            **build_errors(op.get("x-errors"), self.doc, join_pointer(pointer, "x-errors")),
        }
        security = op.get("security", self.root_security)
        requirements = [_dict(req) for req in _list(security)]
        auth = tuple(
            sorted({str(name) for req in requirements for name in req if name in self.auth_schemes})
        )
        http_method = method.upper()
        tags = tuple(str(t) for t in _list(op.get("tags")))
        return Operation(
            operation_id=op_id,
            py_name=py_name,
            method_name=str(op.get("x-method-name", op_id)),
            http_method=http_method,
            path=path,
            summary=_text(op.get("summary")),
            description=_text(op.get("description")),
            tags=tags,
            params=tuple(params),
            body_media_type=body_type,
            result=result,
            enveloped=enveloped,
            signed=signed,
            auth=auth,
            permission=str(op.get("x-permission", "none")),
            retry_safe=bool(op.get("x-retry-safe", http_method in SAFE_METHODS)),
            errors=errors,
            rate_limit=_rate_limit(op.get("x-rate-limit")) or self.rate_limit,
            deprecated=bool(op.get("deprecated", False)),
            also_accepts=tuple(str(m).upper() for m in _list(op.get("x-also-accepts"))),
            auth_optional=any(not req for req in requirements) or not requirements,
            body_required=body_required,
            pagination=self._pagination(op, pointer, params, result),
        )

    def _param(
        self,
        name: str,
        location: str,
        schema: Any,
        required: bool,
        description: str,
        json_encoded: bool,
        doc: Document,
        pointer: str,
        taken: set[str],
        hint: str,
    ) -> Param:
        node = self.resolver.deref(schema, doc, pointer) if schema is not None else {}
        py_type = _param_type(node, self.resolver, doc, pointer)
        if (
            py_type.kind in ("any", "sequence")
            and _has_any(py_type)
            and location in ("json", "body")
            and isinstance(node, dict)
            and node
        ):
            # an object, a union or an array of objects sent as JSON: its model (or a plain mapping)
            model = self.collector.type_of(schema, doc, pointer, hint).base
            if model.kind not in ("any", "none"):
                py_type = model
                if model.kind == "list":
                    py_type = generic("sequence", *model.args)
                elif model.kind == "model":
                    py_type = union([model, generic("mapping", scalar("Any"))])
        if not required:
            py_type = py_type.or_none()
        has_default = isinstance(node, dict) and "default" in node
        py_name = snake(name, fallback="param")
        if py_name in _INTERNAL_NAMES:
            py_name += "_"
        return Param(
            name=name,
            py_name=unique(py_name, taken),
            location=location,
            required=required,
            py_type=py_type,
            schema=_resolved(node, self.resolver, doc, pointer),
            description=" ".join(_text(description).split()),
            json_encoded=json_encoded,
            default=node.get("default") if has_default else None,
            has_default=has_default,
        )

    def _parameters(
        self,
        path: str,
        path_item: dict[str, Any],
        op: dict[str, Any],
        pointer: str,
        hidden: set[str],
        taken: set[str],
    ) -> list[Param]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], Document, str]] = {}
        path_ptr = pointer.rsplit("/", 1)[0]
        for base, ptr in ((path_item.get("parameters"), path_ptr), (op.get("parameters"), pointer)):
            for i, raw in enumerate(_list(base)):
                where = join_pointer(ptr, "parameters", i)
                located = self.resolver.follow(raw, self.doc, where)
                p = located.value
                if (
                    not isinstance(p, dict)
                    or not isinstance(p.get("name"), str)
                    or not p.get("name")
                ):
                    raise SpecError([self.doc.problem(where, "a parameter needs 'name' and 'in'")])
                location = p.get("in")
                if location not in ("query", "path", "header", "cookie"):
                    self.warn(
                        located.doc,
                        located.pointer,
                        f"parameter {p['name']!r}: 'in: {location}' is not "
                        "query, path, header or cookie: left out",
                    )
                    continue
                if location == "header" and p["name"].lower() in _IGNORED_HEADERS:
                    continue
                merged[(p["name"], location)] = (p, located.doc, located.pointer)
        for variable in _PATH_VARIABLE.findall(path):
            if (variable, "path") not in merged:
                self.warn(
                    self.doc,
                    pointer,
                    f"path parameter {variable!r} is not declared: taken as a string",
                )
                merged[(variable, "path")] = (
                    {
                        "name": variable,
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    self.doc,
                    pointer,
                )
        out = []
        for (name, location), (p, doc, ptr) in merged.items():
            if name in hidden:
                continue
            schema, json_encoded = p.get("schema"), bool(p.get("x-json-encoded", False))
            schema_ptr = join_pointer(ptr, "schema")
            content = p.get("content")
            if schema is None and isinstance(content, dict) and content:
                media, media_obj = next(iter(content.items()))
                schema, json_encoded = (
                    _dict(media_obj).get("schema"),
                    json_encoded or "json" in str(media),
                )
                schema_ptr = join_pointer(ptr, "content", media, "schema")
            out.append(
                self._param(
                    name,
                    location,
                    schema,
                    location == "path" or bool(p.get("required")),
                    _text(p.get("description")),
                    json_encoded,
                    doc,
                    schema_ptr,
                    taken,
                    pascal(f"{name}_param"),
                )
            )
        return out

    def _body(
        self, op: dict[str, Any], pointer: str, hidden: set[str], op_id: str, taken: set[str]
    ) -> tuple[str | None, list[Param], bool]:
        if "requestBody" not in op:
            return None, [], False
        located = self.resolver.follow(
            op["requestBody"], self.doc, join_pointer(pointer, "requestBody")
        )
        body, doc = _dict(located.value), located.doc
        content = _dict(body.get("content"))
        media = _pick_media(content)
        if media is None:
            return None, [], False
        body_required = bool(body.get("required"))
        media_obj = _dict(content[media])
        schema_ptr = join_pointer(located.pointer, "content", media, "schema")
        schema = media_obj.get("schema", {})
        encoding = _dict(media_obj.get("encoding"))
        location = _media_location(media)
        node = self.resolver.deref(schema, doc, schema_ptr)
        props = (
            merged_properties(schema, self.resolver, doc, schema_ptr)
            if isinstance(node, dict)
            else {}
        )
        flat = bool(props) and location in ("form", "multipart", "json") and _only_properties(node)
        if not flat:
            param = self._param(
                "body",
                "body",
                schema,
                body_required,
                _text(body.get("description")),
                False,
                doc,
                schema_ptr,
                taken,
                pascal(op_id + "_body"),
            )
            return media, [param], body_required
        required = set(_list(node.get("required")))
        for i, branch in enumerate(_list(node.get("allOf"))):
            required |= set(
                _list(
                    _dict(
                        self.resolver.deref(branch, doc, join_pointer(schema_ptr, "allOf", i))
                    ).get("required")
                )
            )
        out = []
        for name, (sub, sub_doc, sub_ptr) in props.items():
            if name in hidden:
                continue
            sub_node = _dict(self.resolver.deref(sub, sub_doc, sub_ptr))
            json_encoded = location != "json" and (
                bool(sub_node.get("x-json-encoded"))
                or "json" in str(_dict(encoding.get(name)).get("contentType", ""))
            )
            out.append(
                self._param(
                    name,
                    location,
                    sub,
                    name in required,
                    _text(sub_node.get("description")),
                    json_encoded,
                    sub_doc,
                    sub_ptr,
                    taken,
                    pascal(f"{op_id}_{name}"),
                )
            )
        return media, out, body_required or any(p.required for p in out)

    def _pagination(
        self, op: dict[str, Any], pointer: str, params: list[Param], result: PyType
    ) -> Pagination | None:
        """`x-pagination`: which parameters page, and the result field listing a page's items."""
        raw = op.get("x-pagination")
        if not isinstance(raw, dict):
            return None
        where = join_pointer(pointer, "x-pagination")
        by_name = {p.name: p for p in params}
        names = []
        for key in ("offset", "limit"):
            name = str(raw.get(key, key))
            if (
                name not in by_name
                or by_name[name].py_type.annotation.removesuffix(" | None") != "int"
            ):
                fail = f"{name!r} is not an integer parameter of the operation"
                raise SpecError([self.doc.problem(join_pointer(where, key), fail)])
            names.append(by_name[name].py_name)
        items = str(raw.get("items"))
        model = result.model
        nodes = self.collector.field_nodes(model) if model else {}
        node = nodes.get(items)
        item = None
        if node is not None:  # the field's schema as collected: an array of a hoisted model
            loc, _ = self.collector.follow(node.value, node.doc, node.pointer)
            of = loc.value.get("items") if isinstance(loc.value, dict) else None
            if isinstance(of, dict):
                loc, _ = self.collector.follow(of, loc.doc, join_pointer(loc.pointer, "items"))
                hoisted = self.collector.model_of(loc)
                item = pymodel(self.collector.models.module, hoisted) if hoisted else None
        if item is None:
            fail = f"{items!r} is not a list field of the result {model or '(not a model)'}"
            raise SpecError([self.doc.problem(join_pointer(where, "items"), fail)])
        return Pagination(names[0], names[1], self.collector.fields(model or "")[items], item)

    def _result(self, op: dict[str, Any], pointer: str, op_id: str, enveloped: bool) -> PyType:
        responses = _dict(op.get("responses"))
        code = next(
            (c for c in sorted(map(str, responses)) if c.startswith("2")),
            "default" if "default" in responses else None,
        )
        if code is None:
            return NONE
        where = join_pointer(pointer, "responses", code)
        located = self.resolver.follow(responses[code], self.doc, where)
        content = _dict(_dict(located.value).get("content"))
        media = next((m for m in content if _media_location(m) == "json"), None)
        if media is None:
            media = next((m for m in content if "json" in m), None)
        if media is None:
            return BYTES if content else NONE
        schema = _dict(content[media]).get("schema", {})
        schema_ptr = join_pointer(located.pointer, "content", media, "schema")
        doc = located.doc
        if enveloped and self.envelope is not None:
            props = merged_properties(schema, self.resolver, doc, schema_ptr)
            if self.envelope.result not in props:
                raise SpecError(
                    [
                        doc.problem(
                            schema_ptr,
                            f"enveloped response has no {self.envelope.result!r} property "
                            "(set x-envelope: false on the operation if it has none)",
                        )
                    ]
                )
            schema, doc, schema_ptr = props[self.envelope.result]
            result = self.collector.type_of(schema, doc, schema_ptr, pascal(op_id) + "Result")
            # A null result only comes with an error, which is raised: success is never None.
            return result.base
        return self.collector.type_of(schema, doc, schema_ptr, pascal(op_id) + "Result")


def _number(value: Any, default: float) -> float:
    return (
        float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


def _only_properties(node: Any) -> bool:
    """An object body whose keys are its declared properties (no union, no open map)."""
    if not isinstance(node, dict):
        return False
    if any(k in node for k in ("oneOf", "anyOf")):
        return False
    extra = node.get("additionalProperties")
    return not (isinstance(extra, dict) and extra) and node.get("type") in (None, "object")


def _param_type(
    node: Any, resolver: Resolver, doc: Document, pointer: str, depth: int = 0
) -> PyType:
    any_ = scalar("Any")
    if not isinstance(node, dict) or depth > 8:
        return any_
    if isinstance(node.get("enum"), list):
        values = [v for v in node["enum"] if v is not None]
        if values and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            return literal(list(dict.fromkeys(values)))
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        items = resolver.deref(node["items"], doc, join_pointer(pointer, "items"))
        return generic("sequence", _param_type(items, resolver, doc, pointer, depth + 1))
    if node.get("format") == "binary" and node.get("type") in (None, "string"):
        return union([BYTES, scalar("str")])
    simple = scalar_pytype(node)
    if simple is None:
        return any_
    if simple.decode == "Decimal":
        return union([simple, scalar("str")])
    if simple.decode == "float":
        return union([simple, scalar("Decimal")])
    if simple.kind == "scalar" or simple.kind == "bytes":
        return simple
    return any_


def _has_any(py: PyType) -> bool:
    """`Any` anywhere in the type (an argument whose schema the scalar reader could not type)."""
    return py.kind == "any" or any(_has_any(a) for a in py.args)


def _resolved(node: Any, resolver: Resolver, doc: Document, pointer: str, depth: int = 0) -> Any:
    """A copy of the schema with $refs inlined (bounded depth), for parameter checks."""
    try:
        node = resolver.deref(node, doc, pointer)
    except SpecError:
        return {}
    if depth > 8:
        return {}
    if isinstance(node, dict):
        return {
            str(k): _resolved(v, resolver, doc, pointer, depth + 1)
            for k, v in node.items()
            if k not in ("example", "examples", "description")
        }
    if isinstance(node, list):
        return [_resolved(v, resolver, doc, pointer, depth + 1) for v in node]
    if isinstance(node, (str, int, float, bool)) or node is None:
        return node
    return str(node)  # dates and other YAML scalars: as text


def _empty_model(doc: Document, resolver: Resolver) -> OpenAPIModel:
    """The model of a document that is not a mapping: nothing in it."""
    where = Location.at(doc, "")
    return OpenAPIModel(doc, resolver, "", {}, [], [], [], [], OpenAPIComponents(), {}, where, [])


class RestModel(NamedTuple):
    api: RestApi
    warnings: list[Problem]
    collector: TypeMapper  # knows the Python name of every schema it collected


def build_rest_api(
    doc: Document,
    resolver: Resolver,
    package: str,
    *,
    lenient: bool = False,
    types: TypeMapper | None = None,
) -> tuple[RestApi, list[Problem]]:
    """The REST model of the document, and the warnings found building it.

    Every operation and component schema is built on its own; what fails (a SpecError, or any
    exception on input we did not foresee) becomes a problem located at its pointer. With
    `lenient`, those are warnings and the piece is left out; otherwise they are raised together."""
    model = build_rest_model(doc, resolver, package, lenient=lenient, types=types)
    return model.api, model.warnings


def build_rest_model(
    doc: Document,
    resolver: Resolver,
    package: str,
    *,
    lenient: bool = False,
    types: TypeMapper | None = None,
) -> RestModel:
    """`build_rest_api`, plus the type mapper (tests map spec schemas to Python types). Pass the
    project's `types` to share its classes with the WebSocket half."""
    root = _dict(doc.data)
    model = model_of(doc, resolver) if isinstance(doc.data, dict) else None
    if not isinstance(model, OpenAPIModel):
        model = _empty_model(doc, resolver)
    info = model.info
    sdk = _dict(root.get("x-sdk"))
    problems: list[Problem] = []

    def attempt(pointer: str, what: str, default: T, build: Callable[..., T], *args: Any) -> T:
        try:
            return build(*args)
        except SpecError as exc:
            problems.extend(exc.problems)
        except RecursionError:
            problems.append(
                doc.problem(pointer, f"cannot build {what}: it nests too deeply", "model")
            )
        except Exception as exc:  # noqa: BLE001 - any input: a located problem, never a traceback
            problems.append(
                doc.problem(pointer, f"cannot build {what}: {type(exc).__name__}: {exc}", "model")
            )
        return default

    def envelope() -> Envelope | None:
        raw = root.get("x-envelope")
        if not isinstance(raw, dict):
            return None
        return Envelope(
            result=str(raw["result"]),
            error=str(raw["error"]),
            id=str(raw["id"]) if raw.get("id") else None,
            code=str(raw.get("code", "code")),
            message=str(raw.get("message", "message")),
        )

    def signature() -> Signature | None:
        return (
            build_signature(root["x-signature"], doc, "/x-signature")
            if "x-signature" in root
            else None
        )

    no_errors: dict[int, ErrorDef] = {}
    no_schemes: dict[str, AuthScheme] = {}
    api: dict[str, Any] = {
        "signature": attempt("/x-signature", "x-signature", None, signature),
        "envelope": attempt("/x-envelope", "x-envelope", None, envelope),
        "error_codes": attempt(
            "/x-error-codes",
            "x-error-codes",
            no_errors,
            build_errors,
            root.get("x-error-codes"),
            doc,
            "/x-error-codes",
        ),
        "rate_limit": attempt(
            "/x-rate-limit", "x-rate-limit", None, _rate_limit, root.get("x-rate-limit")
        ),
        "auth_schemes": attempt(
            "/components/securitySchemes",
            "the security schemes",
            no_schemes,
            _auth_schemes,
            model.components.security_schemes,
        ),
    }
    collector = types if types is not None else TypeMapper(resolver)
    collector.models.dialect = (
        "3.1.0" if str(root.get("openapi", "")).startswith("3.1") else "3.0.3"
    )
    builder = _OperationBuilder(doc, resolver, collector, api)
    operations: list[Operation] = []

    def schema(target: Schema, name: str) -> None:
        # an alias of a schema elsewhere: that schema (the model followed the `$ref`)
        where = target.location
        if not collector.is_null(target.value, where.doc):
            collector.add(target.value, where.doc, where.pointer, name)

    items = {item.path: item for item in model.paths}
    for node in model.operations:
        item = items[node.path]
        built = attempt(
            join_pointer("/paths", node.path, node.method),
            f"operation {node.method.upper()} {node.path}",
            None,
            builder.build,
            str(node.path),
            node.method,
            node.raw,
            item.raw,
            item.location.doc,
            item.location.pointer,
        )
        if built is not None:
            operations.append(built)
    for name, target in model.components.schemas.items():
        pointer = join_pointer("/components/schemas", name)
        attempt(pointer, f"schema {name!r}", None, schema, target, str(name))
    problems += builder.problems
    if problems and not lenient:
        raise SpecError(problems)
    warnings = builder.warnings + [
        dataclasses.replace(p, severity=Severity.WARNING) for p in problems
    ]
    return RestModel(
        RestApi(
            title=_text(info.get("title")) or package,
            version=_text(info.get("version")) or "0",
            description=_text(info.get("description")),
            base_url=_server_url(model.servers),
            spec_file=doc.path.name,
            spec_sha256=doc.sha256,
            sdk_name=pascal(str(sdk.get("name") or package)),
            timeout=_number(sdk.get("timeout"), 10.0),
            max_retries=int(_number(sdk.get("max-retries"), 2)),
            user_agent=str(sdk.get("user-agent", f"{package}-python")),
            operations=operations,
            models=collector.models,
            **api,
        ),
        warnings,
        collector,
    )
