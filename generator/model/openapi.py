"""Stage 3 for OpenAPI 3.0/3.1: build a `RestApi` from a loaded document."""

from __future__ import annotations

import re
from typing import Any

from generator.load import Document, Resolver
from generator.model.ir import (
    AuthScheme,
    Envelope,
    ErrorDef,
    Operation,
    Param,
    RateLimit,
    RestApi,
    SchemaRef,
    Signature,
)
from generator.model.schemas import SchemaCollector, merged_properties, scalar_type
from generator.naming import pascal, snake, unique
from generator.problems import Problem, SpecError, join_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_TYPES = ("application/x-www-form-urlencoded", "application/json", "multipart/form-data")


def build_signature(raw: Any, doc: Document, pointer: str) -> Signature:
    if not isinstance(raw, dict) or "algorithm" not in raw or "payload" not in raw:
        raise SpecError([doc.problem(pointer, "a signature needs 'algorithm' and 'payload'")])
    canonical = raw.get("canonical") or {}
    return Signature(
        algorithm=str(raw["algorithm"]),
        output=str(raw.get("output", "hex-lower")),
        payload=str(raw["payload"]),
        sort=str(canonical.get("sort", "name")),
        values=str(canonical.get("values", "raw")),
        pair=str(canonical.get("pair", "=")),
        join=str(canonical.get("join", "&")),
        exclude=tuple(str(x) for x in canonical.get("exclude", ())),
        key_parameter=str(raw.get("key-parameter", "")),
        parameter=str(raw.get("parameter", "")),
    )


def build_errors(raw: Any, doc: Document, pointer: str) -> dict[int, ErrorDef]:
    out: dict[int, ErrorDef] = {}
    for code, item in (raw or {}).items():
        where = join_pointer(pointer, code)
        try:
            number = int(code)
        except ValueError:
            raise SpecError([doc.problem(where, f"error code {code!r} is not an integer")]) from None
        if not isinstance(item, dict) or not re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(item.get("name", ""))):
            raise SpecError([doc.problem(where, "needs 'name', a class name such as OrderNotFound")])
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


def _server_url(root: dict[str, Any]) -> str:
    servers = root.get("servers") or [{"url": "/"}]
    server = servers[0]
    url = str(server.get("url", "/"))
    for name, var in (server.get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(var.get("default", "")))
    return url.rstrip("/")


def _auth_schemes(root: dict[str, Any], resolver: Resolver, doc: Document) -> dict[str, AuthScheme]:
    out: dict[str, AuthScheme] = {}
    raw = (root.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in raw.items():
        scheme = resolver.deref(scheme, doc, join_pointer("/components/securitySchemes", name))
        kind = scheme.get("type")
        if kind == "apiKey":
            out[name] = AuthScheme(name, "apiKey", scheme.get("in", "header"), scheme.get("name", ""))
        elif kind == "http" and str(scheme.get("scheme", "")).lower() in ("bearer", "basic"):
            out[name] = AuthScheme(name, str(scheme["scheme"]).lower())
        # oauth2/openIdConnect/mutualTLS: the caller passes headers itself (extra_headers)
    return out


class _OperationBuilder:
    def __init__(self, doc: Document, resolver: Resolver, collector: SchemaCollector, api: dict[str, Any]):
        self.doc, self.resolver, self.collector = doc, resolver, collector
        self.signature: Signature | None = api["signature"]
        self.envelope: Envelope | None = api["envelope"]
        self.error_codes: dict[int, ErrorDef] = api["error_codes"]
        self.rate_limit: RateLimit | None = api["rate_limit"]
        self.auth_schemes: dict[str, AuthScheme] = api["auth_schemes"]
        self.root_security = doc.data.get("security")
        self.warnings: list[Problem] = []
        self.py_names: set[str] = {"close", "aclose", "timeout", "base_url", "max_retries", "with_raw_response"}

    def build(self, path: str, method: str, op: dict[str, Any], path_item: dict[str, Any]) -> Operation:
        pointer = join_pointer("/paths", path, method)
        op_id = op.get("operationId") or f"{method}_{path}"
        if not op.get("operationId"):
            self.warnings.append(self.doc.problem(pointer, f"no operationId: named it {snake(op_id)!r}", "model",
                                                  severity=_warning()))
        py_name = unique(snake(op_id, avoid_builtins=False, fallback="op"), self.py_names)
        signed = bool(op.get("x-signed", False))
        if signed and self.signature is None:
            raise SpecError([self.doc.problem(join_pointer(pointer, "x-signed"), "x-signed needs a root x-signature")])
        hidden = {self.signature.key_parameter, self.signature.parameter} if signed and self.signature else set()

        params = self._parameters(path_item, op, pointer, hidden)
        body_type, body_params = self._body(op, pointer, hidden, op_id)
        taken = {p.py_name for p in params}
        for p in body_params:
            if p.py_name in taken:
                p = Param(**{**p.__dict__, "py_name": unique(p.py_name + "_body", taken)})
            taken.add(p.py_name)
            params.append(p)
        params.sort(key=lambda p: (not p.required,))  # required first, stable otherwise

        enveloped = self.envelope is not None and op.get("x-envelope", True) is not False
        result = self._result(op, pointer, op_id, enveloped)
        errors = {**self.error_codes, **build_errors(op.get("x-errors"), self.doc, join_pointer(pointer, "x-errors"))}
        security = op.get("security", self.root_security) or []
        auth = tuple(sorted({name for req in security for name in req if name in self.auth_schemes}))
        http_method = method.upper()
        return Operation(
            operation_id=op_id,
            py_name=py_name,
            method_name=str(op.get("x-method-name", op_id)),
            http_method=http_method,
            path=path,
            summary=str(op.get("summary", "")).strip(),
            description=str(op.get("description", "")).strip(),
            tags=tuple(op.get("tags", ())),
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
            also_accepts=tuple(str(m).upper() for m in op.get("x-also-accepts", ())),
        )

    def _param(self, name: str, location: str, schema: Any, required: bool, description: str,
               json_encoded: bool, doc: Document, pointer: str, taken: set[str]) -> Param:
        node = self.resolver.deref(schema, doc, pointer) if schema is not None else {}
        py_type = _param_type(node, self.resolver, doc, pointer)
        if not required:
            py_type = f"{py_type} | None"
        has_default = isinstance(node, dict) and "default" in node
        return Param(
            name=name,
            py_name=unique(snake(name, fallback="param"), taken),
            location=location,
            required=required,
            py_type=py_type,
            schema=_resolved(node, self.resolver, doc, pointer),
            description=" ".join(description.split()),
            json_encoded=json_encoded,
            default=node.get("default") if has_default else None,
            has_default=has_default,
        )

    def _parameters(self, path_item: dict[str, Any], op: dict[str, Any], pointer: str, hidden: set[str]) -> list[Param]:
        merged: dict[tuple[str, str], tuple[Any, str]] = {}
        path_ptr = pointer.rsplit("/", 1)[0]
        for base, ptr in ((path_item.get("parameters") or [], path_ptr), (op.get("parameters") or [], pointer)):
            for i, raw in enumerate(base):
                where = join_pointer(ptr, "parameters", i)
                located = self.resolver.follow(raw, self.doc, where)
                p = located.value
                if not isinstance(p, dict) or "name" not in p or "in" not in p:
                    raise SpecError([self.doc.problem(where, "a parameter needs 'name' and 'in'")])
                merged[(p["name"], p["in"])] = (p, located.pointer)
        taken: set[str] = set()
        out = []
        for (name, location), (p, ptr) in merged.items():
            if name in hidden:
                continue
            schema, json_encoded = p.get("schema"), bool(p.get("x-json-encoded", False))
            if schema is None and isinstance(p.get("content"), dict) and p["content"]:
                media, content = next(iter(p["content"].items()))
                schema, json_encoded = content.get("schema"), json_encoded or "json" in media
                ptr = join_pointer(ptr, "content", media)
            out.append(self._param(name, location, schema, location == "path" or bool(p.get("required")),
                                   str(p.get("description", "")), json_encoded, self.doc,
                                   join_pointer(ptr, "schema"), taken))
        return out

    def _body(self, op: dict[str, Any], pointer: str, hidden: set[str], op_id: str) -> tuple[str | None, list[Param]]:
        if "requestBody" not in op:
            return None, []
        located = self.resolver.follow(op["requestBody"], self.doc, join_pointer(pointer, "requestBody"))
        body, doc = located.value, located.doc
        content = body.get("content") or {}
        media = next((m for m in BODY_TYPES if m in content), None)
        if media is None:
            media = next(iter(content), None)
            if media is None:
                return None, []
        media_obj = content[media]
        schema_ptr = join_pointer(located.pointer, "content", media, "schema")
        schema = media_obj.get("schema", {})
        encoding = media_obj.get("encoding") or {}
        props = merged_properties(schema, self.resolver, doc, schema_ptr)
        node = self.resolver.deref(schema, doc, schema_ptr)
        location = {"application/x-www-form-urlencoded": "form", "multipart/form-data": "multipart"}.get(media, "json")
        if not props or not media.endswith(("json", "form-urlencoded", "form-data")):
            return media, [self._param("body", "body", schema, bool(body.get("required")), str(body.get("description", "")),
                                       False, doc, schema_ptr, set())]
        required = set(node.get("required", ())) if isinstance(node, dict) else set()
        for branch in node.get("allOf", []) if isinstance(node, dict) else []:
            required |= set(self.resolver.deref(branch, doc, schema_ptr).get("required", ()))
        taken: set[str] = set()
        out = []
        for name, (sub, sub_doc, sub_ptr) in props.items():
            if name in hidden:
                continue
            sub_node = self.resolver.deref(sub, sub_doc, sub_ptr)
            json_encoded = location != "json" and (
                bool(sub_node.get("x-json-encoded")) or "json" in str((encoding.get(name) or {}).get("contentType", ""))
            )
            out.append(self._param(name, location, sub, name in required, str(sub_node.get("description", "")),
                                   json_encoded, sub_doc, sub_ptr, taken))
        return media, out

    def _result(self, op: dict[str, Any], pointer: str, op_id: str, enveloped: bool) -> SchemaRef:
        responses = op.get("responses") or {}
        code = next((c for c in sorted(map(str, responses)) if c.startswith("2")), "default" if "default" in responses else None)
        if code is None:
            return SchemaRef("None", "None", True)
        where = join_pointer(pointer, "responses", code)
        located = self.resolver.follow(responses.get(code) if code in responses else responses[int(code)], self.doc, where)
        content = located.value.get("content") or {}
        media = next((m for m in content if "json" in m), None)
        if media is None:
            return SchemaRef("bytes", "bytes") if content else SchemaRef("None", "None", True)
        schema = content[media].get("schema", {})
        schema_ptr = join_pointer(located.pointer, "content", media, "schema")
        doc = located.doc
        if enveloped and self.envelope is not None:
            props = merged_properties(schema, self.resolver, doc, schema_ptr)
            if self.envelope.result not in props:
                raise SpecError([doc.problem(schema_ptr, f"enveloped response has no {self.envelope.result!r} property "
                                                         "(set x-envelope: false on the operation if it has none)")])
            schema, doc, schema_ptr = props[self.envelope.result]
            result = self.collector.type_of(schema, doc, schema_ptr, pascal(op_id) + "Result")
            # A null result only comes with an error, which is raised: success is never None.
            return SchemaRef(result.decode_type, result.decode_type, False)
        return self.collector.type_of(schema, doc, schema_ptr, pascal(op_id) + "Result")


def _warning() -> Any:
    from generator.problems import Severity

    return Severity.WARNING


def _param_type(node: Any, resolver: Resolver, doc: Document, pointer: str) -> str:
    if not isinstance(node, dict):
        return "Any"
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        if values and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            return "Literal[" + ", ".join(repr(v) for v in values) + "]"
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return f"Sequence[{_param_type(resolver.deref(node['items'], doc, pointer), resolver, doc, pointer)}]"
    simple = scalar_type(node)
    if simple == "Decimal":
        return "Decimal | str"
    if simple == "float":
        return "float | Decimal"
    if simple and simple != "Any":
        return simple.replace("list[", "Sequence[")
    return "Any"


def _resolved(node: Any, resolver: Resolver, doc: Document, pointer: str, depth: int = 0) -> Any:
    """A copy of the schema with $refs inlined (bounded depth), for parameter checks."""
    node = resolver.deref(node, doc, pointer)
    if depth > 8:
        return {}
    if isinstance(node, dict):
        return {k: _resolved(v, resolver, doc, pointer, depth + 1) for k, v in node.items()
                if k not in ("example", "examples", "description")}
    if isinstance(node, list):
        return [_resolved(v, resolver, doc, pointer, depth + 1) for v in node]
    return node


def build_rest_api(doc: Document, resolver: Resolver, package: str) -> tuple[RestApi, list[Problem]]:
    root = doc.data
    info = root.get("info") or {}
    sdk = root.get("x-sdk") or {}
    envelope = root.get("x-envelope")
    api: dict[str, Any] = {
        "signature": build_signature(root["x-signature"], doc, "/x-signature") if "x-signature" in root else None,
        "envelope": Envelope(
            result=envelope["result"], error=envelope["error"], id=envelope.get("id"),
            code=envelope.get("code", "code"), message=envelope.get("message", "message"),
        ) if isinstance(envelope, dict) else None,
        "error_codes": build_errors(root.get("x-error-codes"), doc, "/x-error-codes"),
        "rate_limit": _rate_limit(root.get("x-rate-limit")),
        "auth_schemes": _auth_schemes(root, resolver, doc),
    }
    collector = SchemaCollector(resolver, "models")
    collector.models.dialect = "3.1.0" if str(root.get("openapi", "")).startswith("3.1") else "3.0.3"
    builder = _OperationBuilder(doc, resolver, collector, api)
    operations = []
    for path, path_item in (root.get("paths") or {}).items():
        path_item = resolver.deref(path_item, doc, join_pointer("/paths", path))
        for method in HTTP_METHODS:
            if isinstance(path_item.get(method), dict):
                operations.append(builder.build(path, method, path_item[method], path_item))
    for name, schema in ((root.get("components") or {}).get("schemas") or {}).items():
        if not collector.is_null(schema, doc):
            collector.add(schema, doc, join_pointer("/components/schemas", name), name)
    return (
        RestApi(
            title=str(info.get("title", package)),
            version=str(info.get("version", "0")),
            description=str(info.get("description", "")).strip(),
            base_url=_server_url(root),
            spec_file=doc.path.name,
            spec_sha256=doc.sha256,
            sdk_name=pascal(str(sdk.get("name") or package)),
            timeout=float(sdk.get("timeout", 10.0)),
            max_retries=int(sdk.get("max-retries", 2)),
            user_agent=str(sdk.get("user-agent", f"{package}-python")),
            operations=operations,
            models=collector.models,
            **api,
        ),
        builder.warnings,
    )
