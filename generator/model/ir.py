"""Stage 3's output: a small, typed intermediate model that the templates render.

Nothing here is exchange-specific. Every field comes from the spec (standard keywords or the
`x-` extensions documented in docs/spec-extensions.md). Schemas that become Python models are
collected in one `ModelSet` per project (REST and WebSocket share it: one `models` module,
rendered with datamodel-code-generator); types are `PyType` objects (generator/model/pytype.py),
never strings to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.model.pytype import PyType
from generator.problems import Problem
from generator.runtime import _signing

Signature = _signing.Signature  # the signature object: the runtime's own, one shape for both

# The type of a value the SDK decodes or a caller passes (was a pair of strings).
SchemaRef = PyType


@dataclass(frozen=True)
class ErrorDef:
    code: int
    name: str  # exception class name
    message: str = ""
    description: str = ""
    retryable: bool = False


@dataclass(frozen=True)
class Envelope:
    result: str
    error: str
    id: str | None = None
    code: str = "code"
    message: str = "message"


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per: float
    scope: str = "ip"


@dataclass(frozen=True)
class Param:
    name: str  # wire name
    py_name: str  # keyword argument name
    location: str  # query | path | header | cookie | form | json | multipart
    required: bool
    py_type: PyType  # annotation of the argument
    schema: dict[str, Any]  # resolved JSON schema (for checks before sending)
    description: str = ""
    json_encoded: bool = False  # array/object sent as compact JSON text
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class AuthScheme:
    """A standard OpenAPI security scheme (apiKey/http bearer/http basic)."""

    name: str
    type: str  # apiKey | bearer | basic
    location: str = ""  # apiKey: header | query | cookie
    param_name: str = ""  # apiKey: header/query/cookie name

    # the client constructor parameters holding the credential: the first apiKey scheme
    # `api_key`, any other one its own (snake_case name); bearer `token`; basic username/password
    parameters: tuple[str, ...] = ()


CREDENTIAL_ORDER = ("api_key", "secret_key", "token", "username", "password")


@dataclass(frozen=True)
class Pagination:
    """`x-pagination` (offset style): the parameters that page and where a page's items are."""

    offset: str  # py_name of the offset parameter
    limit: str  # py_name of the page-size parameter
    items: str  # attribute of the result holding the page's list
    item: PyType  # one item


@dataclass(frozen=True)
class Operation:
    operation_id: str
    py_name: str
    method_name: str  # the exchange's own name (x-method-name), used in errors
    http_method: str  # GET, POST, ...
    path: str  # as in the spec, relative to the server URL
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]  # user-facing parameters (credentials excluded)
    body_media_type: str | None  # application/x-www-form-urlencoded | application/json | ...
    result: PyType  # what the method returns (envelope unwrapped)
    enveloped: bool
    signed: bool
    auth: tuple[str, ...]  # names of AuthScheme the operation accepts (any of them)
    permission: str
    retry_safe: bool
    errors: dict[int, ErrorDef]  # root table merged with the operation's own
    rate_limit: RateLimit | None
    deprecated: bool = False
    also_accepts: tuple[str, ...] = ()
    auth_optional: bool = (
        False  # the security requirements include `{}`: callable without credentials
    )
    body_required: bool = False  # a body is sent even when no body argument is given
    result_media: str = "json"  # json | form (x-www-form-urlencoded) | text (text/plain)
    security: tuple[tuple[str, ...], ...] = ()  # requirements (any of), each all of its schemes
    pagination: Pagination | None = None  # x-pagination: iter_<operation>() pages until done

    @property
    def body_kind(self) -> str | None:
        """form | multipart | json | body (one opaque body) | None."""
        for p in self.params:
            if p.location in ("form", "multipart", "json", "body"):
                return p.location
        media = self.body_media_type or ""
        if media == "application/x-www-form-urlencoded":
            return "form"
        if media == "multipart/form-data":
            return "multipart"
        return "json" if "json" in media else None


@dataclass
class ModelSet:
    """Schemas for one generated module; names are final Python class names.

    One set serves the whole project: when both halves are generated, `RestApi.models` and
    `WsApi.models` are the same object (rendered once)."""

    module: str  # e.g. "models"
    dialect: str = "3.0.3"  # OpenAPI version whose schema dialect the schemas use
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    positional: set[str] = field(default_factory=set)  # rendered as array_like structs


@dataclass
class RestApi:
    title: str
    version: str
    description: str
    base_url: str
    spec_file: str
    spec_sha256: str
    sdk_name: str  # class-name prefix
    timeout: float
    max_retries: int
    user_agent: str
    operations: list[Operation]
    models: ModelSet
    signature: Signature | None
    envelope: Envelope | None
    error_codes: dict[int, ErrorDef]
    rate_limit: RateLimit | None
    auth_schemes: dict[str, AuthScheme]

    @property
    def credentials(self) -> tuple[str, ...]:
        """The client constructor's credential parameters, from the schemes and `x-signature`."""
        names = {p for s in self.auth_schemes.values() for p in s.parameters}
        if self.signature is not None:
            names |= {"api_key", "secret_key"}
        return tuple(
            sorted(
                names, key=lambda n: (CREDENTIAL_ORDER.index(n) if n in CREDENTIAL_ORDER else 9, n)
            )
        )


@dataclass(frozen=True)
class WsParam:
    name: str
    py_name: str
    py_type: PyType
    schema: dict[str, Any]
    description: str = ""
    required: bool = True
    default: Any = None  # used when not required (channel parameters with a `default`)


@dataclass(frozen=True)
class WsMethod:
    name: str  # wire method name, e.g. "depth.subscribe"
    py_name: str  # e.g. "depth_subscribe"
    kind: str  # request | subscribe | unsubscribe
    summary: str
    description: str
    params: tuple[WsParam, ...]
    result: PyType  # request: the reply's result; subscribe: the push model
    private: bool
    push: str | None = None  # subscribe: wire name of the push
    unsubscribe: str | None = None
    aliases: tuple[str, ...] = ()
    errors: dict[int, ErrorDef] = field(default_factory=dict)
    # Added for the WebSocket client (all optional):
    variadic: WsParam | None = None  # additionalItems: any number of further positional arguments
    mergeable: bool = False  # subscribe: params are a list of keys; concurrent subscriptions merge
    route: str | None = None  # subscribe: push model attribute holding the key a push belongs to
    route_params: tuple[str, ...] = ()  # subscribe: py_names of the params that hold such keys
    internal: bool = False  # used by the client itself (auth, unsubscribe): no public method
    # subscribe, `x-rpc-method.unique`: (attribute path of a list in the push, id attribute of
    # its items): items already delivered (e.g. replayed after a reconnect) are dropped
    unique: tuple[tuple[str, ...], str] | None = None


@dataclass(frozen=True)
class WsOrderBook:
    """`x-order-book` on a subscribe message: how its push maintains a local order book."""

    method: str  # subscribe wire name that feeds the book
    py_name: str  # client factory method, e.g. "order_book"
    push: str  # push wire name
    model: PyType  # the push model
    clean: tuple[str, ...]  # attribute path of the snapshot flag in the push model
    asks: tuple[str, ...]  # attribute path of the ask levels
    bids: tuple[str, ...]
    market: tuple[str, ...] = ()  # attribute path of the market name (optional)
    price: str = "[0]"  # accessor suffix on one level: ".price" or "[0]"
    amount: str = "[1]"


@dataclass(frozen=True)
class WsPush:
    name: str  # wire method of the push
    py_type: PyType  # model of the push's params


@dataclass(frozen=True)
class Framing:
    request_method: str = "method"
    request_params: str = "params"
    request_id: str = "id"
    reply_result: str = "result"
    reply_error: str = "error"
    reply_id: str = "id"
    push_method: str = "method"
    push_params: str = "params"
    error_code: str = "code"
    error_message: str = "message"


@dataclass(frozen=True)
class WsAuth:
    method: str
    params: tuple[str, ...]  # templates with {api_key} {signature}
    signature: Signature


@dataclass(frozen=True)
class Heartbeat:
    method: str
    interval: float = 15.0
    timeout: float = 10.0


@dataclass(frozen=True)
class WsVariant:
    """One JSON shape a plain message's payload can take (a top-level oneOf/anyOf has several)."""

    py_type: PyType  # decodable type, e.g. models.Hello, list[float], str, None
    shape: str  # object | array | string | number | boolean | null | any
    consts: tuple[tuple[str, Any], ...] = ()  # top-level property -> the one value it may have
    required: tuple[str, ...] = ()  # top-level required properties (objects)
    properties: tuple[str, ...] = ()  # top-level declared properties (objects)


@dataclass(frozen=True)
class WsMessage:
    """A plain (non-RPC) AsyncAPI message that the client sends or receives on one channel."""

    name: str  # the spec's message name (messageId, name, or components key)
    py_name: str  # method suffix: send_<py_name> / receive_<py_name>
    summary: str
    description: str
    payload: PyType  # the payload's type (bytes when raw)
    variants: tuple[WsVariant, ...] = ()  # how a received payload is recognised and decoded
    raw: bool = False  # not decoded: non-JSON content type or a schemaFormat we cannot read
    content_type: str = "application/json"
    examples: tuple[Any, ...] = ()  # payload examples from the message's `examples`
    schema: Any = None  # the payload schema, $refs inlined (documentation, checks, tests)


@dataclass(frozen=True)
class WsRequest:
    """An AsyncAPI 3.0 operation with a `reply`: an awaitable method that sends `request` and
    returns the reply carrying the same correlation id."""

    name: str  # the operation id
    py_name: str  # the method
    summary: str
    description: str
    request: WsMessage  # one of the channel's `sends`
    replies: tuple[WsMessage, ...]  # among the channel's `receives`
    result: PyType  # the replies' payload types
    request_id: tuple[str, ...]  # where the correlation id is in the request payload
    reply_id: tuple[str, ...]  # ... and in the reply payload
    id_kind: str = "string"  # "integer": ids are counted; else a UUID string


@dataclass(frozen=True)
class WsChannel:
    """One channel of a plain AsyncAPI document: one connection, its own client class."""

    name: str  # channel key (2.x) or channel id (3.0)
    address: str  # path joined to the server URL; may hold {parameter} placeholders
    class_name: str  # generated client class
    attr: str  # factory method on the multi-channel WebSocketClient
    server_url: str  # server URL (variables resolved with their defaults)
    protocol: str  # the server's protocol (ws, wss, mqtt, kafka, ...)
    parameters: tuple[WsParam, ...] = ()  # channel parameters: keyword arguments of the client
    sends: tuple[WsMessage, ...] = ()
    receives: tuple[WsMessage, ...] = ()
    description: str = ""
    requests: tuple[WsRequest, ...] = ()  # 3.0 request/reply operations


@dataclass
class WsApi:
    title: str
    version: str
    description: str
    url: str
    spec_file: str
    spec_sha256: str
    framing: Framing | None  # None: plain messages, no JSON-RPC (generic AsyncAPI)
    binary_frames: str  # gzip | zlib | deflate | auto | none
    auth: WsAuth | None
    heartbeat: Heartbeat | None
    request_timeout: float
    methods: list[WsMethod]
    pushes: list[WsPush]
    models: ModelSet  # the project's one set (the same object as RestApi.models when both)
    error_codes: dict[int, ErrorDef]
    order_books: list[WsOrderBook] = field(default_factory=list)  # from x-order-book
    model_names: tuple[str, ...] = ()  # classes of `models` this half uses (ws_models re-exports)
    model_aliases: tuple[tuple[str, str], ...] = ()  # (component name, class) where they differ
    # Plain documents (framing None): one entry per channel that has operations.
    channels: list[WsChannel] = field(default_factory=list)
    asyncapi_version: str = ""
    warnings: list[Problem] = field(default_factory=list)  # located, non-fatal (e.g. schemaFormat)
