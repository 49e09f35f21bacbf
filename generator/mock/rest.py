"""A mock exchange for REST, driven by an OpenAPI spec and recorded exchanges.

Nothing here knows an exchange: routes, parameters, signatures, envelopes and error codes all come
from the spec and its `x-` extensions (docs/spec-extensions.md); answers come from recordings
(`<dir>/<operationId>[__variant].json`) or, failing those, from the spec's own 200 examples.

    with RestMock("specs/api.openapi.yaml", "tests/recordings/rest", secret_key="...") as mock:
        client = SomeSdk.Client(api_key=..., secret_key=..., base_url=mock.url)
        mock.inject("market_last", Status(503, headers={"Retry-After": "0"}))
        client.market_last(market="ETH/BTC")   # retried, second request answered normally
        assert len(mock.requests) == 2

The server is a `ThreadingHTTPServer` on a background thread (real loopback sockets, HTTP/1.1
keep-alive). For every request it:

1. routes by path (below the server URL's base path; concrete paths before templated ones) and
   HTTP method (the declared method or one of `x-also-accepts`); unknown paths answer 404, other
   methods 405;
2. merges the query string, a form body and a JSON object body into one parameter map and appends
   the request to `requests` (the log tests assert on);
3. applies the next injected fault for the operation, if any (`Status`, `Delay`, `Garbage`, `Close`);
4. checks the signature of `x-signed` operations when a `secret_key` is configured (root
   `x-signature`) and that required parameters are present; failures answer the spec's error
   envelope (HTTP 200, like the exchange) with code 1 when the root `x-error-codes` has it;
5. answers with, in order: a recording queued with `prime()`; the recording of the operation whose
   parameters equal the request's (signature parameter excluded); the operation's first recording
   that is not an error; for a JSON response with a schema, its first example valid against the
   schema, else a deterministic value synthesised from the schema (generator/mock/synth.py, like
   Prism's dynamic mode); the first example of another media type; else 501. A recorded error
   whose code the spec marks `retryable` (a transient server failure) is answered only when primed.

Requests are routed below the path of the spec's first server URL (`/api/v1` of
`https://host/api/v1`): point a client at `mock.url`, which includes it.

`python -m generator mock --openapi FILE [--recordings DIR] [--secret-key S] [--port N]` serves it
from the command line (generator/mock/cli.py); with `--asyncapi` it also serves the WebSocket half
(generator/mock/ws.py). Faults are in generator/mock/faults.py, recordings in recordings.py.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import re
import socket
import sys
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from generator.document import (
    OpenAPIModel,
    Operation,
    RequestBody,
    Response,
    Server,
    model_of,
)
from generator.document.nodes import Extensions
from generator.load import Document, Resolver, load_document
from generator.mock.faults import Close, Fault, Garbage, Status, fault_body
from generator.mock.recordings import Recording, json_bytes, load_recordings
from generator.mock.synth import Synthesizer
from generator.model.ir import Envelope, ErrorDef, Signature
from generator.model.openapi import build_errors, build_signature
from generator.model.types import merged_properties
from generator.problems import SpecError, join_pointer
from generator.runtime import _signing

__all__ = [
    "OperationSpec",
    "ParamSpec",
    "ReceivedRequest",
    "RestMock",
    "RestSpec",
    "coerce_value",
    "compute_signature",
]

log = logging.getLogger("generator.mock")

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


# --------------------------------------------------------------------------------------------
# the spec, as the mock needs it


@dataclass(frozen=True)
class ParamSpec:
    """One request parameter as it travels on the wire (credentials included)."""

    name: str
    location: str  # query | path | header | cookie | form | multipart | json
    required: bool
    schema: Any  # with every $ref inlined
    json_encoded: bool  # array/object sent as compact JSON text
    doc: Document  # where the raw schema lives (for validators that follow $refs)
    pointer: str


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    method: str  # declared HTTP method, upper case
    path: str  # as in the spec, relative to the server URL
    also_accepts: tuple[str, ...]
    method_name: str  # x-method-name
    signed: bool
    enveloped: bool
    params: tuple[ParamSpec, ...]
    body_media_type: str | None
    errors: Mapping[int, ErrorDef]  # root x-error-codes merged with x-errors (operation wins)
    examples: tuple[Any, ...]  # values of the 200 JSON response examples, in spec order
    response_schema: tuple[Any, Document, str] | None  # the 200 JSON schema, located
    pointer: str
    status: int = 200  # of the success response answered with its example
    media_type: str = "application/json"  # of that response's example
    no_content: bool = False  # the success response has no body: answered with `status` and nothing

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.method, *self.also_accepts)

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)


def compute_signature(
    sig: Signature, params: Mapping[str, str], api_key: str, secret_key: str
) -> str:
    """The signature of `params` (the signature parameter itself is left out), per `sig`: the
    SDK's own signing code (generator/runtime/_signing.py)."""
    return _signing.sign(sig, params, api_key, secret_key)


class RestSpec:
    """The routes, parameters, signature, envelope and error codes of one OpenAPI document."""

    def __init__(self, path: str | Path, overlays: Sequence[str | Path] = ()) -> None:
        self.path = Path(path)
        self.doc = load_document(self.path)
        if self.doc.kind == "swagger":  # converted as `generate` does (generator/convert.py)
            from generator.convert import convert_swagger

            self.doc, _ = convert_swagger(self.doc)
        if overlays:  # applied as `generate --overlay` does (generator/overlay.py)
            from generator.overlay import apply_overlays

            self.doc, _ = apply_overlays(self.doc, overlays)
        self.resolver = Resolver(self.doc)
        self.synth = Synthesizer(self.doc, self.resolver)
        self._answers: dict[str, Any] = {}  # operationId -> the value answered without recordings
        root = self.doc.data
        if not isinstance(root, dict) or "openapi" not in root:
            raise SpecError([self.doc.problem("", "not an OpenAPI document", "mock")])
        self.root: dict[str, Any] = root
        model = model_of(self.doc, self.resolver)
        if not isinstance(model, OpenAPIModel):
            raise SpecError([self.doc.problem("", "not an OpenAPI document", "mock")])
        self.model = model
        self.title = str(model.info.get("title", self.path.name))
        self.server_url = _server_url(model.servers)
        self.base_path = urllib.parse.urlsplit(self.server_url).path.rstrip("/")
        sig = model.extensions.get("x-signature")
        self.signature: Signature | None = (
            build_signature(sig.value, sig.location.doc, sig.location.pointer)
            if sig is not None and isinstance(sig.value, dict)
            else None
        )
        env = _x(model.extensions, "x-envelope")
        self.envelope: Envelope | None = (
            Envelope(
                result=str(env["result"]),
                error=str(env["error"]),
                id=str(env["id"]) if env.get("id") else None,
                code=str(env.get("code", "code")),
                message=str(env.get("message", "message")),
            )
            if isinstance(env, dict) and "result" in env and "error" in env
            else None
        )
        codes = model.extensions.get("x-error-codes")
        self.error_codes: dict[int, ErrorDef] = (
            build_errors(codes.value, codes.location.doc, codes.location.pointer)
            if codes is not None
            else {}
        )
        self.operations: dict[str, OperationSpec] = {}
        self._routes: list[tuple[re.Pattern[str], str, dict[str, OperationSpec]]] = []
        by_path: dict[str, list[Operation]] = {}
        for operation in model.operations:
            by_path.setdefault(operation.path, []).append(operation)
        for item in model.paths:
            by_method: dict[str, OperationSpec] = {}
            for operation in by_path.get(item.path, []):
                op = self._operation(operation)
                self.operations[op.operation_id] = op
                by_method[op.method] = op
            # x-also-accepts never overrides a declared method of the same path
            for op in list(by_method.values()):
                for extra in op.also_accepts:
                    by_method.setdefault(extra, op)
            self._routes.append((_path_regex(item.path), item.path, by_method))
        # a concrete path matches before a templated one (`/accounts/ledgers`, `/accounts/{id}`)
        self._routes.sort(key=lambda route: ["{" in s for s in route[1].split("/")])

    # -- routing --------------------------------------------------------------------------
    def route(self, method: str, path: str) -> tuple[OperationSpec | None, tuple[str, ...]]:
        """The operation for `method path` (path below the base path), and the methods the path
        accepts (empty: unknown path)."""
        op, allowed, _ = self.match(method, path)
        return op, allowed

    def match(
        self, method: str, path: str
    ) -> tuple[OperationSpec | None, tuple[str, ...], dict[str, str]]:
        """`route`, plus the path parameters taken from the URL (percent-decoded)."""
        for regex, key, by_method in self._routes:
            found = regex.fullmatch(path)
            if found:
                names = _path_names(key)
                values = {
                    name: urllib.parse.unquote(value)
                    for name, value in zip(names, found.groups(), strict=False)
                }
                return by_method.get(method.upper()), tuple(sorted(by_method)), values
        return None, (), {}

    def operation(self, target: str) -> OperationSpec:
        """An operation by operationId, or by path (with or without the base path)."""
        if target in self.operations:
            return self.operations[target]
        path = urllib.parse.urlsplit(target).path
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path) :]
        for regex, _key, by_method in self._routes:
            if regex.fullmatch(path) and by_method:
                return next(iter(by_method.values()))
        raise KeyError(f"no operation {target!r} in {self.path.name}")

    # -- wire values ----------------------------------------------------------------------
    def coerce(self, op: OperationSpec, params: Mapping[str, str]) -> dict[str, Any]:
        """Wire strings turned into the JSON values their schemas describe (integers, numbers,
        booleans, JSON-encoded arrays/objects); unknown parameters and unparsable values stay
        strings, so a validator reports them."""
        out: dict[str, Any] = {}
        for name, value in params.items():
            spec = op.param(name)
            out[name] = (
                value if spec is None else coerce_value(value, spec.schema, spec.json_encoded)
            )
        return out

    def answer(self, op: OperationSpec) -> Any:
        """The JSON value answered for `op` without a recording: its first example valid against
        the response schema, else one synthesised from the schema (generator/mock/synth.py)."""
        if op.operation_id not in self._answers:
            assert op.response_schema is not None
            schema, doc, pointer = op.response_schema
            self._answers[op.operation_id] = self.synth.answer(schema, doc, pointer, op.examples)
        return self._answers[op.operation_id]

    def error_body(self, code: int, message: str, request_id: int = 0) -> bytes:
        """An error answer in the spec's envelope (`{"error": {...}, "result": null, "id": n}`)."""
        if self.envelope is None:
            return json_bytes({"code": code, "message": message})
        body: dict[str, Any] = {
            self.envelope.error: {self.envelope.code: code, self.envelope.message: message},
            self.envelope.result: None,
        }
        if self.envelope.id:
            body[self.envelope.id] = request_id
        return json_bytes(body)

    def is_error_body(self, body: Any) -> bool:
        """Whether a decoded body carries a (top-level) error in the spec's envelope."""
        key = self.envelope.error if self.envelope else "error"
        return isinstance(body, dict) and body.get(key) is not None

    def argument_error(self) -> tuple[int, str]:
        """Code and message for a request the mock refuses (bad signature, missing parameter):
        code 1 of the root `x-error-codes` if there is one, else its lowest code, else 1."""
        if 1 in self.error_codes:
            return 1, self.error_codes[1].message or "invalid argument"
        if self.error_codes:
            first = min(self.error_codes)
            return first, self.error_codes[first].message or "invalid argument"
        return 1, "invalid argument"

    # -- building ------------------------------------------------------------------------
    def _operation(self, operation: Operation) -> OperationSpec:
        path, method, exts = operation.path, operation.method, operation.extensions
        pointer = join_pointer("/paths", path, method)
        op_id = str(operation.operation_id or f"{method}_{path}")
        params = self._parameters(operation)
        media, body_params = self._body(operation.request_body)
        enveloped = self.envelope is not None and _x(exts, "x-envelope", True) is not False
        x_errors = exts.get("x-errors")
        errors = {
            **self.error_codes,
            **(
                build_errors(x_errors.value, x_errors.location.doc, x_errors.location.pointer)
                if x_errors is not None
                else {}
            ),
        }
        examples, schema, status, no_content, media_type = self._response(operation.responses)
        return OperationSpec(
            operation_id=op_id,
            method=method.upper(),
            path=path,
            also_accepts=tuple(str(m).upper() for m in _x(exts, "x-also-accepts", ())),
            method_name=str(_x(exts, "x-method-name", op_id)),
            signed=bool(_x(exts, "x-signed", False)),
            enveloped=enveloped,
            params=tuple(params + body_params),
            body_media_type=media,
            errors=errors,
            examples=examples,
            response_schema=schema,
            pointer=pointer,
            status=status,
            no_content=no_content,
            media_type=media_type,
        )

    def _parameters(self, operation: Operation) -> list[ParamSpec]:
        # path-item parameters, then the operation's: one with the same name and `in` replaces
        # the earlier one in its place
        merged: dict[tuple[str, str], ParamSpec] = {}
        for p in (*operation.path_parameters, *operation.parameters):
            if not p.name or not p.location_in:
                continue
            schema, schema_loc = p.raw.get("schema"), p.location.child("schema")
            json_encoded = bool(_x(p.extensions, "x-json-encoded", False))
            if schema is None and p.content:
                content = p.content[0]
                schema, schema_loc = content.raw.get("schema"), content.location.child("schema")
                json_encoded = json_encoded or "json" in content.media_type
            merged[(p.name, p.location_in)] = ParamSpec(
                name=p.name,
                location=p.location_in,
                required=p.location_in == "path" or p.required,
                schema=self._inline(schema or {}, schema_loc.doc, schema_loc.pointer),
                json_encoded=json_encoded,
                doc=schema_loc.doc,
                pointer=schema_loc.pointer,
            )
        return list(merged.values())

    def _body(self, body: RequestBody | None) -> tuple[str | None, list[ParamSpec]]:
        if body is None:
            return None, []
        content = {m.media_type: m for m in body.content}
        media = next((m for m in (_FORM, "application/json", _MULTIPART) if m in content), None)
        media = media or next(iter(content), None)
        if media is None:
            return None, []
        media_obj = content[media]
        schema_loc = media_obj.location.child("schema")
        doc, schema_ptr = schema_loc.doc, schema_loc.pointer
        schema = media_obj.raw.get("schema", {})
        encoding = {e.property: e for e in media_obj.encoding}
        node = self.resolver.follow(schema, doc, schema_ptr)
        required: set[str] = set()
        if isinstance(node.value, dict):
            required |= set(node.value.get("required", ()))
            for i, branch in enumerate(node.value.get("allOf", [])):
                sub = self.resolver.follow(branch, node.doc, join_pointer(node.pointer, "allOf", i))
                if isinstance(sub.value, dict):
                    required |= set(sub.value.get("required", ()))
        location = {_FORM: "form", _MULTIPART: "multipart"}.get(media, "json")
        out = []
        for name, (sub, sub_doc, sub_ptr) in merged_properties(
            schema, self.resolver, doc, schema_ptr
        ).items():
            sub_node = self.resolver.deref(sub, sub_doc, sub_ptr)
            enc = encoding.get(name)
            content_type = (enc.content_type if enc is not None else None) or ""
            json_encoded = location != "json" and (
                bool(isinstance(sub_node, dict) and sub_node.get("x-json-encoded"))
                or "json" in content_type
            )
            out.append(
                ParamSpec(
                    name=name,
                    location=location,
                    required=name in required,
                    schema=self._inline(sub, sub_doc, sub_ptr),
                    json_encoded=json_encoded,
                    doc=sub_doc,
                    pointer=sub_ptr,
                )
            )
        return media, out

    def _response(
        self, responses: list[Response]
    ) -> tuple[tuple[Any, ...], tuple[Any, Document, str] | None, int, bool, str]:
        response = next((r for r in responses if r.status == "200"), None)
        if response is None:
            response = next(
                (r for r in sorted(responses, key=lambda r: r.status) if r.status.startswith("2")),
                None,
            )
        if response is None:
            response = next((r for r in responses if r.status == "default"), None)
        if response is None:  # no success declared (or no `responses` at all): an empty 200
            return (), None, 200, True, "application/json"
        status = int(response.status) if response.status.isdigit() else 200
        if not response.content:
            return (), None, status, True, "application/json"
        content = {m.media_type: m for m in response.content}
        media = next((m for m in content if "json" in m), None) or next(iter(content))
        media_obj = content[media]
        examples: list[Any] = [example.value for example in media_obj.values]
        schema = media_obj.raw.get("schema")
        schema_loc = media_obj.location.child("schema")
        located_schema = (
            (schema, schema_loc.doc, schema_loc.pointer)
            if schema is not None and "json" in media
            else None
        )
        if not examples and media_obj.schema is not None:
            example = _schema_example(media_obj.schema.value)
            if example is not None:
                examples.append(example)
        return tuple(examples), located_schema, status, False, media

    def _inline(
        self, node: Any, doc: Document, pointer: str, seen: frozenset[str] = frozenset()
    ) -> Any:
        """A copy of the schema with every `$ref` inlined (a cycle becomes `{}`)."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            located = self.resolver.follow(node, doc, pointer)
            key = f"{located.doc.path}#{located.pointer}"
            if key in seen:
                return {}
            return self._inline(located.value, located.doc, located.pointer, seen | {key})
        if isinstance(node, dict):
            return {
                k: self._inline(v, doc, join_pointer(pointer, k), seen) for k, v in node.items()
            }
        if isinstance(node, list):
            return [
                self._inline(v, doc, join_pointer(pointer, i), seen) for i, v in enumerate(node)
            ]
        return node


def coerce_value(value: str, schema: Any, json_encoded: bool = False) -> Any:
    """One wire string as the JSON value its (inlined) schema describes; unparsable stays a str."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if json_encoded or kind in ("array", "object"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if kind == "integer" and re.fullmatch(r"[-+]?\d+", value):
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and re.fullmatch(r"[-+]?\d+", value) else number
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _server_url(servers: list[Server]) -> str:
    if not servers:
        return ""
    url = servers[0].url or "/"
    for name, var in servers[0].variables.items():
        url = url.replace("{" + name + "}", str((var or {}).get("default", "")))
    return url.rstrip("/")


def _x(extensions: Extensions, name: str, default: Any = None) -> Any:
    """The value of an `x-` extension, or `default` when it is absent."""
    found = extensions.get(name)
    return default if found is None else found.value


def _schema_example(node: Any) -> Any:
    """The `example` (3.0) or first of `examples` (3.1) of a (resolved) response schema, if any."""
    if not isinstance(node, dict):
        return None
    if "example" in node:
        return node["example"]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return None


def _path_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile("".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts if p))


def _path_names(path: str) -> list[str]:
    """The `{name}` variables of a path template, in order."""
    return re.findall(r"\{([^}/]+)\}", path)


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in header.split(";"):
        name, sep, value = pair.strip().partition("=")
        if sep and name:
            out[name] = value
    return out


def _multipart(body: bytes, content_type: str) -> list[tuple[str, str | bytes]]:
    """The (name, value) parts of a multipart/form-data body: text for fields, bytes for files."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    parts: list[tuple[str, str | bytes]] = []
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            parts.append((name, data))
        else:
            parts.append((name, data.decode(part.get_content_charset() or "utf-8", "replace")))
    return parts


# --------------------------------------------------------------------------------------------
# the server


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the mock received it."""

    method: str
    path: str  # without the query string
    params: dict[str, str]  # query + form body + JSON body, merged (later wins)
    headers: dict[str, str]  # names lower-cased
    body: bytes
    operation_id: str | None
    query: tuple[tuple[str, str], ...] = ()
    path_params: dict[str, str] = field(default_factory=dict)  # from the URL, percent-decoded
    cookies: dict[str, str] = field(default_factory=dict)
    json: Any = None  # the decoded JSON body, if the body is JSON
    parts: tuple[tuple[str, str | bytes], ...] = ()  # multipart/form-data fields (bytes: files)
    raw_query: str = ""  # the query string exactly as received
    relative_path: str = ""  # the path after the server URL's path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], mock: RestMock) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.mock = mock
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # the client went away (reset, broken pipe, timeout)
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.exception("mock failed on a request from %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60  # idle keep-alive connections end after this

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms
        # to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self.server.mock._handle(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_TRACE = do_GET

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        sent = {k.lower() for k in (headers or {})}
        for name, value in (headers or {}).items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


class RestMock:
    """A generic REST mock exchange: see the module docstring."""

    def __init__(
        self,
        openapi_path: str | Path | RestSpec,
        recordings_dir: str | Path | Iterable[Recording] | None = None,
        secret_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        overlays: Sequence[str | Path] = (),
    ) -> None:
        self.spec = (
            openapi_path if isinstance(openapi_path, RestSpec) else RestSpec(openapi_path, overlays)
        )
        if recordings_dir is None:
            self.recordings: list[Recording] = []
        elif isinstance(recordings_dir, (str, Path)):
            self.recordings = load_recordings(recordings_dir)
        else:
            self.recordings = list(recordings_dir)
        self.secret_key = secret_key
        self.api_key = api_key  # when set, the key parameter of signed requests must equal it
        self.host, self.port = host, port
        self._lock = threading.Condition()
        self._log: list[ReceivedRequest] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._primed: dict[str, deque[Recording]] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._next_id = 1

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"rest-mock:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("REST mock of %s listening on %s", self.spec.title, self.url)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # releases Delay faults
        server.shutdown()
        with server.connections_lock:
            connections = list(server.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """`http://host:port`, without the base path."""
        if self._server is None:
            raise RuntimeError("the mock is not running: call start()")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL an SDK is pointed at: the origin plus the server URL's base path."""
        return self.origin + self.spec.base_path

    # -- test controls ---------------------------------------------------------------------
    def inject(self, target: str, *faults: Fault) -> None:
        """Queue faults for an operation (operationId or path); each request consumes one."""
        op = self.spec.operation(target)
        with self._lock:
            self._faults.setdefault(op.operation_id, deque()).extend(faults)

    def pending_faults(self, target: str) -> int:
        op = self.spec.operation(target)
        with self._lock:
            return len(self._faults.get(op.operation_id, ()))

    def prime(self, *recordings: Recording) -> None:
        """Queue recordings to answer the next requests of their operations, in order."""
        with self._lock:
            for rec in recordings:
                op = self.spec.operation(rec.operation)
                self._primed.setdefault(op.operation_id, deque()).append(rec)

    def clear(self) -> None:
        """Forget the request log, queued faults and primed recordings."""
        with self._lock:
            self._log.clear()
            self._faults.clear()
            self._primed.clear()

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._log)

    def requests_for(self, target: str) -> list[ReceivedRequest]:
        op_id = self.spec.operation(target).operation_id
        return [r for r in self.requests if r.operation_id == op_id]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Block until at least `count` requests were received; TimeoutError after `timeout`."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._log) >= count, timeout=timeout):
                raise TimeoutError(f"mock received {len(self._log)} request(s), expected {count}")
            return list(self._log)

    # -- request handling ------------------------------------------------------------------
    def _handle(self, handler: _Handler) -> None:
        body = handler.read_body()
        split = urllib.parse.urlsplit(handler.path)
        query = tuple(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        params = dict(query)
        full_type = handler.headers.get("content-type", "")
        content_type = full_type.split(";")[0].strip().lower()
        decoded: Any = None
        parts: list[tuple[str, str | bytes]] = []
        if body and content_type == _FORM:
            params.update(
                urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            )
        elif body and content_type.endswith("json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                params.update(
                    {
                        k: v if isinstance(v, str) else json_bytes(v).decode()
                        for k, v in decoded.items()
                    }
                )
        elif body and content_type == _MULTIPART:
            try:
                parts = _multipart(body, full_type)
            except Exception:  # noqa: BLE001 - a malformed body is logged as received
                parts = []
            params.update({k: v for k, v in parts if isinstance(v, str)})
        path = split.path
        relative = path
        base = self.spec.base_path
        if base:
            relative = path[len(base) :] if path.startswith(base + "/") else ""
        op, allowed, path_params = (
            self.spec.match(handler.command, relative) if relative else (None, (), {})
        )
        entry = ReceivedRequest(
            method=handler.command,
            path=path,
            params=params,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            operation_id=op.operation_id if op else None,
            query=query,
            path_params=path_params,
            cookies=_cookies(handler.headers.get("cookie", "")),
            json=decoded,
            parts=tuple(parts),
            raw_query=split.query,
            relative_path=relative,
        )
        with self._lock:
            self._log.append(entry)
            self._lock.notify_all()
            fault = None
            if op is not None and self._faults.get(op.operation_id):
                fault = self._faults[op.operation_id].popleft()
        if op is None:
            if allowed:
                handler.reply(
                    405,
                    json_bytes({"message": f"{handler.command} not allowed"}),
                    {"Allow": ", ".join(allowed)},
                )
            else:
                handler.reply(404, json_bytes({"message": f"no route for {path}"}))
            return
        if fault is not None:
            if isinstance(fault, Close):
                handler.close_connection = True
                try:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if isinstance(fault, Status):
                handler.reply(fault.status, fault_body(fault.body), fault.headers)
                return
            if isinstance(fault, Garbage):
                handler.reply(fault.status, fault.data, {"Content-Type": fault.content_type})
                return
            if self._stopping.wait(fault.seconds):  # Delay: then answer normally
                handler.close_connection = True
                return
        status, headers, payload = self._answer(op, params, entry)
        handler.reply(status, payload, headers)

    def _answer(
        self, op: OperationSpec, params: dict[str, str], entry: ReceivedRequest | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        json_headers = {"Content-Type": "application/json"}
        refusal = self._refusal(op, params, entry)
        if refusal is not None:
            return 200 if self.spec.envelope else 400, json_headers, refusal
        with self._lock:
            primed = self._primed.get(op.operation_id)
            rec = primed.popleft() if primed else None
        if rec is None:
            rec = self._match(op, params)
        if rec is not None:
            return rec.status, {**json_headers, **rec.headers}, rec.body
        if op.response_schema is not None:
            return op.status, json_headers, json_bytes(self.spec.answer(op))
        if op.examples:
            example = op.examples[0]
            if "json" in op.media_type:
                return op.status, json_headers, json_bytes(example)
            text = example if isinstance(example, (str, bytes)) else json_bytes(example).decode()
            data = text if isinstance(text, bytes) else text.encode()
            return op.status, {"Content-Type": op.media_type}, data
        if op.no_content:
            return op.status, {}, b""
        return (
            501,
            json_headers,
            json_bytes({"message": f"no recording or example for {op.operation_id}"}),
        )

    def _refusal(
        self, op: OperationSpec, params: Mapping[str, str], entry: ReceivedRequest | None = None
    ) -> bytes | None:
        """The error body for a request the exchange would refuse, or None: a bad signature, or a
        required parameter missing from where the spec puts it (path, query, header, cookie, body)."""
        sig = self.spec.signature
        code, message = self.spec.argument_error()
        if op.signed and sig is not None and self.secret_key is not None:
            if entry is None:
                return self._error(code, "missing signature")
            key, why = _signing.check_request(
                sig,
                self.secret_key,
                method=entry.method,
                path=entry.relative_path,
                url_path=entry.path,
                query=entry.raw_query,
                body=entry.body,
                form=entry.headers.get("content-type", "").split(";")[0].strip().lower() == _FORM,
                headers=entry.headers,
            )
            if why is None and self.api_key is not None and key != self.api_key:
                why = "invalid api key"
            if why is not None:
                return self._error(code, why)
        missing = [p.name for p in op.params if p.required and not _present(p, params, entry)]
        if missing:
            return self._error(code, message if self.spec.envelope else f"missing {missing[0]}")
        return None

    def _error(self, code: int, message: str) -> bytes:
        with self._lock:
            request_id, self._next_id = self._next_id, self._next_id + 1
        return self.spec.error_body(code, message, request_id)

    def _match(self, op: OperationSpec, params: Mapping[str, str]) -> Recording | None:
        # A recorded transient failure (an error code the spec marks retryable) says nothing about
        # the arguments: it is served only when primed.
        mine = [
            r
            for r in self.recordings
            if r.operation == op.operation_id and not self._transient(op, r.json_body)
        ]
        if not mine:
            return None
        ignored = set(self.spec.signature.signature_parameters) if self.spec.signature else set()
        if self.spec.signature and {"timestamp", "nonce"} & self.spec.signature.uses:
            ignored |= self.spec.signature.hidden_parameters  # a clock changes on every call
        wanted = {k: v for k, v in params.items() if k not in ignored}
        exact = [
            r for r in mine if {k: v for k, v in r.params.items() if k not in ignored} == wanted
        ]
        for candidates in (exact, mine):
            ok = [
                r
                for r in candidates
                if not self.spec.is_error_body(r.json_body) and r.json_body is not None
            ]
            if ok:
                return ok[0]
            if candidates is exact and exact:
                return exact[0]
        return None

    def _transient(self, op: OperationSpec, body: Any) -> bool:
        if not self.spec.is_error_body(body):
            return False
        key = self.spec.envelope.error if self.spec.envelope else "error"
        code_key = self.spec.envelope.code if self.spec.envelope else "code"
        error = body[key]
        code = error.get(code_key) if isinstance(error, dict) else None
        found = op.errors.get(code) if isinstance(code, int) else None
        return found is not None and found.retryable


def _present(p: ParamSpec, params: Mapping[str, str], entry: ReceivedRequest | None) -> bool:
    """Whether a parameter was sent where the spec puts it (`params`: query and body fields)."""
    if entry is None:
        return p.location in ("header", "cookie", "path") or p.name in params
    if p.location == "path":
        return p.name in entry.path_params
    if p.location == "header":
        return p.name.lower() in entry.headers
    if p.location == "cookie":
        return p.name in entry.cookies
    if p.location == "multipart":
        return any(name == p.name for name, _ in entry.parts)
    return p.name in params  # query (or a form body standing in for it), form and JSON fields
