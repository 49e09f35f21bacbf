"""Stage 3 for OpenAPI 3.0/3.1: build a `RestApi` from a loaded document.

Any valid document builds, and an invalid one never raises anything but a located SpecError:
each operation and each component schema is built on its own, and whatever goes wrong there (a
problem we detect, or an exception on input nobody foresaw) becomes a problem at its pointer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from generator.document import (
    Location,
    OpenAPIComponents,
    OpenAPIModel,
    RequestBody,
    Response,
    Schema,
    SecurityScheme,
    Server,
    model_of,
)
from generator.document import Operation as DocOperation
from generator.document.nodes import Extensions
from generator.load import Document, Resolver
from generator.model.enums import KEYS as ENUM_KEYS
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
from generator.model.pytype import BYTES, NONE, PyType
from generator.model.pytype import model as pymodel
from generator.model.types import TypeMapper, merged_properties
from generator.naming import pascal, snake, unique
from generator.problems import Diagnostics, Problem, Severity, SpecError, join_pointer

T = TypeVar("T")

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_TYPES = ("application/x-www-form-urlencoded", "application/json", "multipart/form-data")


def build_signature(raw: Any, doc: Document, pointer: str) -> Signature:
    if not isinstance(raw, dict) or "algorithm" not in raw or "payload" not in raw:
        raise SpecError([doc.problem(pointer, "a signature needs 'algorithm' and 'payload'")])
    try:
        return Signature.from_mapping(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SpecError([doc.problem(pointer, f"malformed signature object: {exc}")]) from exc


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
    taken = {"api_key", "secret_key", "token", "username", "password", "passphrase", "headers"}
    taken |= _CLIENT_NAMES | {"rate_limit", "http_client", "self"}
    first_key = True
    for name, node in schemes.items():
        scheme = node.raw
        kind = scheme.get("type")
        http_scheme = str(scheme.get("scheme", "")).lower()
        if kind == "apiKey" and scheme.get("in", "header") in ("header", "query", "cookie"):
            param = "api_key" if first_key else unique(snake(str(name), avoid_builtins=True), taken)
            first_key = False
            location, wire = str(scheme.get("in", "header")), str(scheme.get("name", ""))
            out[name] = AuthScheme(name, "apiKey", location, wire, (param,))
        elif kind == "http" and http_scheme == "bearer":
            out[name] = AuthScheme(name, "bearer", parameters=("token",))
        elif kind == "http" and http_scheme == "basic":
            out[name] = AuthScheme(name, "basic", parameters=("username", "password"))
        elif kind in ("oauth2", "openIdConnect"):  # the caller's access token, sent as bearer
            out[name] = AuthScheme(name, "bearer", parameters=("token",))
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
_USABLE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*_?")  # a method name made of words


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


@dataclass(frozen=True)
class _Arg:
    """One argument before it is typed: a parameter, a body property, or the whole body."""

    name: str
    location: str  # query | path | header | cookie | form | json | multipart | body
    schema: Schema  # followed, with where it lives
    required: bool
    description: str
    json_encoded: bool


class _OperationBuilder:
    """One `Operation` of the IR per document-model operation; problems go to `diagnostics`."""

    def __init__(
        self,
        model: OpenAPIModel,
        types: TypeMapper,
        api: dict[str, Any],
        diagnostics: Diagnostics,
    ):
        self.resolver, self.types, self.diagnostics = model.resolver, types, diagnostics
        self.signature: Signature | None = api["signature"]
        self.envelope: Envelope | None = api["envelope"]
        self.error_codes: dict[int, ErrorDef] = api["error_codes"]
        self.rate_limit: RateLimit | None = api["rate_limit"]
        self.auth_schemes: dict[str, AuthScheme] = api["auth_schemes"]
        self.root_security = model.security
        self.operation_ids: set[str] = set()
        self.py_names: set[str] = set(_CLIENT_NAMES)

    def warn(self, where: Location, message: str) -> None:
        self.diagnostics.add(where.problem(message, "model", Severity.WARNING))

    def build(self, node: DocOperation) -> Operation:
        method, path, ext = node.method, node.path, node.extensions
        op_id = node.operation_id or f"{method}_{path}"
        fallback = snake(f"{method}_{path}", fallback="op")  # no operationId: validation says so
        duplicate = op_id in self.operation_ids
        self.operation_ids.add(op_id)
        base = snake(op_id, avoid_builtins=True, fallback="")
        if node.operation_id is not None and not _USABLE.fullmatch(base):
            # `001`: no name a caller can read; the summary's words, else method and path
            from_summary = snake(node.summary, avoid_builtins=True, fallback="")
            usable = _USABLE.fullmatch(from_summary) and len(from_summary.split("_")) <= 8
            base = from_summary if usable else snake(fallback, avoid_builtins=True)
            self.warn(
                node.location.child("operationId"),
                f"operationId {op_id!r} is no usable name: named it {base!r}",
            )
        base = base or snake(fallback, avoid_builtins=True)
        if base in _CLIENT_NAMES:
            base += "_"
        py_name = unique(base, self.py_names)
        if duplicate:
            self.diagnostics.add(
                node.location.child("operationId").problem(
                    f"operationId {op_id!r} is used twice: named this one {py_name!r}", "model"
                )
            )
        signed = bool(_value(ext, "x-signed", False))
        if signed and self.signature is None:
            raise SpecError(
                [ext["x-signed"].location.problem("x-signed needs a root x-signature", "model")]
            )
        hidden = set(self.signature.hidden_parameters) if signed and self.signature else set()

        params = self._parameters(node, hidden, set(_INTERNAL_NAMES))
        body_type, body_params, body_required = self._body(
            node.request_body, hidden, py_name, set(_INTERNAL_NAMES)
        )
        taken = {p.py_name for p in params}
        for p in body_params:
            if p.py_name in taken:
                p = dataclasses.replace(p, py_name=unique(p.py_name + "_body", taken))
            taken.add(p.py_name)
            params.append(p)
        params.sort(key=lambda p: (not p.required,))  # required first, stable otherwise

        enveloped = self.envelope is not None and _value(ext, "x-envelope", True) is not False
        result, result_media = self._result(node.responses, py_name, enveloped)
        enveloped = enveloped and result_media == "json"  # an envelope is a JSON object
        errors = dict(self.error_codes)
        if "x-errors" in ext:
            where = ext["x-errors"].location
            errors.update(build_errors(ext["x-errors"].value, where.doc, where.pointer))
        requirements = node.security if node.security is not None else self.root_security
        auth = tuple(sorted({n for req in requirements for n in req if n in self.auth_schemes}))
        security = tuple(  # requirements naming a scheme the client cannot apply are dropped
            tuple(req) for req in requirements if req and all(n in self.auth_schemes for n in req)
        )
        http_method = method.upper()
        return Operation(
            operation_id=op_id,
            py_name=py_name,
            method_name=str(_value(ext, "x-method-name", op_id)),
            http_method=http_method,
            path=path,
            summary=_text(node.summary),
            description=_text(node.description),
            tags=tuple(node.tags),
            params=tuple(params),
            body_media_type=body_type,
            result=result,
            enveloped=enveloped,
            signed=signed,
            auth=auth,
            permission=str(_value(ext, "x-permission", "none")),
            retry_safe=bool(_value(ext, "x-retry-safe", http_method in SAFE_METHODS)),
            errors=errors,
            rate_limit=_rate_limit(_value(ext, "x-rate-limit", None)) or self.rate_limit,
            deprecated=node.deprecated,
            also_accepts=tuple(str(m).upper() for m in _list(_value(ext, "x-also-accepts", None))),
            auth_optional=any(not req for req in requirements) or not requirements,
            body_required=body_required,
            result_media=result_media,
            security=security,
            pagination=self._pagination(ext, params, result),
        )

    def _param(self, arg: _Arg, taken: set[str], hint: str) -> Param:
        schema = arg.schema
        sent_as_json = arg.location in ("json", "body")
        py_type = self.types.schema_param_type(schema, hint if sent_as_json else None)
        if not arg.required:
            py_type = py_type.or_none()
        node = schema.value
        has_default = isinstance(node, dict) and "default" in node
        py_name = snake(arg.name, fallback="param")
        if py_name in _INTERNAL_NAMES:
            py_name += "_"
        where = schema.location
        checks = _resolved(node, self.resolver, where.doc, where.pointer)
        return Param(
            name=arg.name,
            py_name=unique(py_name, taken),
            location=arg.location,
            required=arg.required,
            py_type=py_type,
            schema=checks if isinstance(checks, dict) else {},  # a non-schema checks nothing
            description=" ".join(arg.description.split()),
            json_encoded=arg.json_encoded,
            default=node.get("default") if isinstance(node, dict) and has_default else None,
            has_default=has_default,
        )

    def _parameters(self, node: DocOperation, hidden: set[str], taken: set[str]) -> list[Param]:
        merged: dict[tuple[str, str], _Arg] = {}  # the operation's override the path item's
        for p in node.path_parameters + node.parameters:
            if not p.name:
                raise SpecError([p.location.problem("a parameter needs 'name' and 'in'", "model")])
            if p.location_in not in ("query", "path", "header", "cookie"):
                self.warn(
                    p.location,
                    f"parameter {p.name!r}: 'in: {p.location_in or None}' is not "
                    "query, path, header or cookie: left out",
                )
                continue
            if p.location_in == "header" and p.name.lower() in _IGNORED_HEADERS:
                continue
            schema = p.schema
            json_encoded = bool(_value(p.extensions, "x-json-encoded", False))
            if schema is None and p.content:
                media = p.content[0]
                schema = media.schema
                json_encoded = json_encoded or "json" in media.media_type
                if schema is None:
                    schema = Schema({}, media.location.child("schema"))
            merged[(p.name, p.location_in)] = _Arg(
                p.name,
                p.location_in,
                schema or Schema({}, p.location.child("schema")),
                p.location_in == "path" or p.required,
                _text(p.raw.get("description")),
                json_encoded,
            )
        for variable in _PATH_VARIABLE.findall(node.path):
            if (variable, "path") not in merged:
                self.warn(
                    node.location, f"path parameter {variable!r} is not declared: taken as a string"
                )
                merged[(variable, "path")] = _Arg(
                    variable, "path", Schema({"type": "string"}, node.location), True, "", False
                )
        return [
            self._param(arg, taken, pascal(f"{name}_param"))
            for (name, _), arg in merged.items()
            if name not in hidden
        ]

    def _body(
        self, body: RequestBody | None, hidden: set[str], op_id: str, taken: set[str]
    ) -> tuple[str | None, list[Param], bool]:
        content = {m.media_type: m for m in body.content} if body is not None else {}
        media = _pick_media(content)
        if body is None or media is None:
            return None, [], False
        media_type = content[media]
        schema = media_type.schema or Schema({}, media_type.location.child("schema"))
        encoding = {e.property: e for e in media_type.encoding}
        location = _media_location(media)
        node, where = schema.value, schema.location
        props = (
            merged_properties(node, self.resolver, where.doc, where.pointer)
            if isinstance(node, dict)
            else {}
        )
        flat = bool(props) and location in ("form", "multipart", "json") and _only_properties(node)
        if not flat:
            whole = _Arg("body", "body", schema, body.required, _text(body.description), False)
            return media, [self._param(whole, taken, pascal(op_id + "_body"))], body.required
        assert isinstance(node, dict)  # props were found
        required = set(_list(node.get("required")))
        for i, branch in enumerate(_list(node.get("allOf"))):
            branch_at = join_pointer(where.pointer, "allOf", i)
            found = _dict(self.resolver.deref(branch, where.doc, branch_at))
            required |= set(_list(found.get("required")))
        out = []
        for name, (sub, sub_doc, sub_ptr) in props.items():
            if name in hidden:
                continue
            sub_schema = self._schema(sub, sub_doc, sub_ptr)
            sub_node = _dict(sub_schema.value)
            content_type = encoding[name].content_type if name in encoding else None
            json_encoded = location != "json" and (
                bool(sub_node.get("x-json-encoded")) or "json" in (content_type or "")
            )
            arg = _Arg(
                name,
                location,
                sub_schema,
                name in required,
                _text(sub_node.get("description")),
                json_encoded,
            )
            out.append(self._param(arg, taken, pascal(f"{op_id}_{name}")))
        return media, out, body.required or any(p.required for p in out)

    def _schema(self, value: Any, doc: Document, pointer: str) -> Schema:
        """A property schema (the document model keeps schemas whole) as a model node."""
        found = self.resolver.follow(value, doc, pointer)
        ref = value.get("$ref") if isinstance(value, dict) else None
        where = Location.at(found.doc, found.pointer)
        return Schema(found.value, where, ref if isinstance(ref, str) else None)

    def _pagination(
        self, ext: Extensions, params: list[Param], result: PyType
    ) -> Pagination | None:
        """`x-pagination`: which parameters page, and the result field listing a page's items."""
        if "x-pagination" not in ext or not isinstance(ext["x-pagination"].value, dict):
            return None
        raw, where = ext["x-pagination"].value, ext["x-pagination"].location
        by_name = {p.name: p for p in params}
        names = []
        for key in ("offset", "limit"):
            name = str(raw.get(key, key))
            if (
                name not in by_name
                or by_name[name].py_type.annotation.removesuffix(" | None") != "int"
            ):
                fail = f"{name!r} is not an integer parameter of the operation"
                raise SpecError([where.child(key).problem(fail, "model")])
            names.append(by_name[name].py_name)
        items = str(raw.get("items"))
        model = result.model
        nodes = self.types.field_nodes(model) if model else {}
        node = nodes.get(items)
        item = None
        if node is not None:  # the field's schema as collected: an array of a hoisted model
            loc, _ = self.types.follow(node.value, node.doc, node.pointer)
            of = loc.value.get("items") if isinstance(loc.value, dict) else None
            if isinstance(of, dict):
                loc, _ = self.types.follow(of, loc.doc, join_pointer(loc.pointer, "items"))
                hoisted = self.types.model_of(loc)
                item = pymodel(self.types.models.module, hoisted) if hoisted else None
        if item is None:
            fail = f"{items!r} is not a list field of the result {model or '(not a model)'}"
            raise SpecError([where.child("items").problem(fail, "model")])
        return Pagination(names[0], names[1], self.types.fields(model or "")[items], item)

    def _result(self, responses: list[Response], op_id: str, enveloped: bool) -> tuple[PyType, str]:
        """What the method returns, and how the body is read: json, form or text."""
        by_status = {r.status: r for r in responses}
        code = next(
            (c for c in sorted(by_status) if c.startswith("2")),
            "default" if "default" in by_status else None,
        )
        if code is None:
            return NONE, "json"
        content = {m.media_type: m for m in by_status[code].content}
        media = next((m for m in content if _media_location(m) == "json"), None)
        if media is None:
            media = next((m for m in content if "json" in m), None)
        hint = pascal(op_id) + "Result"
        if media is None:
            # a form or plain-text body with a schema decodes per the schema; anything else: bytes
            for kind, found in (("form", _FORM), ("text", _TEXT)):
                typed = [m for m in content.values() if _base_media(m.media_type) == found]
                if typed and typed[0].schema is not None:
                    return self.types.schema_type(typed[0].schema, hint), kind
            return (BYTES if content else NONE), "json"
        media_type = content[media]
        schema = media_type.schema or Schema({}, media_type.location.child("schema"))
        if enveloped and self.envelope is not None:
            where = schema.location
            props = merged_properties(schema.value, self.resolver, where.doc, where.pointer)
            if self.envelope.result not in props:
                raise SpecError(
                    [
                        where.problem(
                            f"enveloped response has no {self.envelope.result!r} property "
                            "(set x-envelope: false on the operation if it has none)",
                            "model",
                        )
                    ]
                )
            result = self.types.type_of(*props[self.envelope.result], hint)
            # A null result only comes with an error, which is raised: success is never None.
            return result.base, "json"
        return self.types.schema_type(schema, hint), "json"


_FORM, _TEXT = "application/x-www-form-urlencoded", "text/plain"


def _base_media(media: str) -> str:
    return media.split(";")[0].strip().lower()


def _value(extensions: Extensions, name: str, default: Any) -> Any:
    """The value of an `x-` extension, or `default` when it is absent."""
    return extensions[name].value if name in extensions else default


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


_NOT_CHECKED = frozenset({"example", "examples", "description", *ENUM_KEYS})


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
            if k not in _NOT_CHECKED
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
    diagnostics: Diagnostics | None = None,
) -> tuple[RestApi, list[Problem]]:
    """The REST model of the document, and the problems of the run so far (after the policy).

    Every operation and component schema is built on its own; what fails (a SpecError, or any
    exception on input we did not foresee) becomes a problem located where it was found, and
    the piece is left out. Problems go to `diagnostics` (a new collector with `lenient` when
    none is given); its errors are raised together at the end."""
    model = build_rest_model(
        doc, resolver, package, lenient=lenient, types=types, diagnostics=diagnostics
    )
    return model.api, model.warnings


def build_rest_model(
    doc: Document,
    resolver: Resolver,
    package: str,
    *,
    lenient: bool = False,
    types: TypeMapper | None = None,
    diagnostics: Diagnostics | None = None,
) -> RestModel:
    """`build_rest_api`, plus the type mapper (tests map spec schemas to Python types). Pass the
    project's `types` to share its classes with the WebSocket half."""
    found = model_of(doc, resolver) if isinstance(doc.data, dict) else None
    model = found if isinstance(found, OpenAPIModel) else _empty_model(doc, resolver)
    collector = diagnostics if diagnostics is not None else Diagnostics(lenient=lenient)
    info, root = model.info, model.extensions
    sdk = _dict(_value(root, "x-sdk", None))

    def attempt(where: Location, what: str, default: T, build: Callable[..., T], *args: Any) -> T:
        try:
            return build(*args)
        except SpecError as exc:
            collector.extend(exc.problems)
        except RecursionError:
            collector.add(where.problem(f"cannot build {what}: it nests too deeply", "model"))
        except Exception as exc:  # noqa: BLE001 - any input: a located problem, never a traceback
            message = f"cannot build {what}: {type(exc).__name__}: {exc}"
            collector.add(where.problem(message, "model"))
        return default

    def at(name: str) -> Location:
        return root[name].location if name in root else model.location.child(name)

    def envelope() -> Envelope | None:
        raw = _value(root, "x-envelope", None)
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
        if "x-signature" not in root:
            return None
        where = root["x-signature"].location
        return build_signature(root["x-signature"].value, where.doc, where.pointer)

    def error_codes() -> dict[int, ErrorDef]:
        where = at("x-error-codes")
        return build_errors(_value(root, "x-error-codes", None), where.doc, where.pointer)

    no_errors: dict[int, ErrorDef] = {}
    no_schemes: dict[str, AuthScheme] = {}
    schemes_at = model.location.child("components", "securitySchemes")
    rate_limit = _value(root, "x-rate-limit", None)
    api: dict[str, Any] = {
        "signature": attempt(at("x-signature"), "x-signature", None, signature),
        "envelope": attempt(at("x-envelope"), "x-envelope", None, envelope),
        "error_codes": attempt(at("x-error-codes"), "x-error-codes", no_errors, error_codes),
        "rate_limit": attempt(at("x-rate-limit"), "x-rate-limit", None, _rate_limit, rate_limit),
        "auth_schemes": attempt(
            schemes_at,
            "the security schemes",
            no_schemes,
            _auth_schemes,
            model.components.security_schemes,
        ),
    }
    mapper = types if types is not None else TypeMapper(resolver)
    mapper.models.dialect = "3.1.0" if model.version.startswith("3.1") else "3.0.3"
    builder = _OperationBuilder(model, mapper, api, collector)
    operations: list[Operation] = []

    def schema(target: Schema, name: str) -> None:
        # an alias of a schema elsewhere: that schema (the model followed the `$ref`)
        where = target.location
        if not mapper.is_null(target.value, where.doc):
            mapper.add(target.value, where.doc, where.pointer, name)

    collector.extend(model.problems)  # `$ref`s the walk could not follow: what they held is missing
    for node in model.operations:
        what = f"operation {node.method.upper()} {node.path}"
        built = attempt(node.location, what, None, builder.build, node)
        if built is not None:
            operations.append(built)
    for name, target in model.components.schemas.items():
        where = model.location.child("components", "schemas", name)
        attempt(where, f"schema {name!r}", None, schema, target, str(name))
    collector.raise_errors()
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
            models=mapper.models,
            **api,
        ),
        collector.result(),
        mapper,
    )
