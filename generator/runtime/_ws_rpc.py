"""JSON-RPC on a WebSocket connection (the spec's `x-rpc`).

`Engine` gives requests an id and a future (replies are matched by id, any number in flight);
pushes are decoded once and routed to the subscriptions that asked for them; on every
(re)connect it authenticates, re-subscribes and pings. Frame property names come from
`_constants.RPC_*`; everything else is generic.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import zlib
from collections.abc import Callable, Coroutine, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import websockets
from websockets.asyncio.client import ClientConnection

from . import _constants as C
from ._errors import (
    APIError,
    ConnectionLost,
    DecodeError,
    MissingCredentials,
    ParameterError,
    RequestTimeout,
    error_for,
)
from ._wire import JsonDecoder, json_encoder
from ._ws_runtime import (
    _LOST,
    AuthFailed,
    Backoff,
    Connection,
    Event,
    FrameError,
    Gap,
    QueuePolicy,
    Resubscribed,
    Resync,
    SubscribeFailed,
    _Marker,
    _Queue,
    _Sink,
    _Stream,
    decompress,
    secret_frames,
)

__all__ = [
    "Backoff",
    "Engine",
    "Event",
    "QueuePolicy",
    "SubscribeSpec",
    "Subscription",
]

T = TypeVar("T")


# -- decoding -----------------------------------------------------------------------------------
class _Frame(msgspec.Struct):
    """An incoming frame: a reply (id, result, error) or a push (method, params)."""

    method: str | None = msgspec.field(default=None, name=C.RPC_PUSH_METHOD)
    params: msgspec.Raw = msgspec.field(default=msgspec.Raw(b"null"), name=C.RPC_PUSH_PARAMS)
    id: int | str | None = msgspec.field(default=None, name=C.RPC_REPLY_ID)
    result: msgspec.Raw = msgspec.field(default=msgspec.Raw(b"null"), name=C.RPC_REPLY_RESULT)
    error: msgspec.Raw = msgspec.field(default=msgspec.Raw(b"null"), name=C.RPC_REPLY_ERROR)


class _Error(msgspec.Struct):
    code: int | str | None = msgspec.field(default=None, name=C.RPC_ERROR_CODE)
    message: str = msgspec.field(default="", name=C.RPC_ERROR_MESSAGE)


_NULL = msgspec.Raw(b"null")
_UNDECODED = object()  # _on_push: the push is not decoded yet
_FRAME = msgspec.json.Decoder(_Frame)
_ERROR = msgspec.json.Decoder(_Error | str | int | None, strict=False)
_ENCODER = json_encoder(decimal_format="string")


# -- subscriptions ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SubscribeSpec:
    """A subscribe method of the spec: how to start, stop and route its pushes."""

    method: str
    push: str
    unsubscribe: str | None = None
    mergeable: bool = False  # params are a list of keys: concurrent subscriptions are merged
    private: bool = False
    route: Callable[[Any], Hashable] | None = None  # push -> the key it belongs to
    # (attribute path of a list in the push, id attribute of its items): items already
    # delivered, e.g. replayed by the server after a reconnect, are dropped
    unique: tuple[tuple[str, ...], str] | None = None


class _SubscriptionSink(_Sink):
    """What the engine holds for one subscription (the user holds the Subscription)."""

    __slots__ = ("keys", "kind", "params")

    def __init__(
        self, kind: _Kind, params: tuple[Any, ...], keys: frozenset[Hashable] | None, queue: _Queue
    ) -> None:
        super().__init__(f"{kind.spec.method} {list(params)!r}", queue)
        self.kind, self.params, self.keys = kind, params, keys


class _Kind:
    """All subscriptions of one subscribe method. The server keeps one subscription per method
    and connection (a new subscribe replaces it), so the engine sends what they need together."""

    def __init__(self, spec: SubscribeSpec) -> None:
        self.spec = spec
        self.sinks: list[_SubscriptionSink] = []
        self.sent: tuple[int, tuple[Any, ...]] | None = None  # (connection number, params)
        self.lock = asyncio.Lock()
        self.resyncs = 0  # resyncs in a row, paced by the backoff
        self.resynced_at = float("-inf")
        self.seen: dict[Hashable, None] = {}  # ids delivered (spec.unique), oldest first

    def wanted(self) -> tuple[Any, ...] | None:
        if not self.sinks:
            return None
        if not self.spec.mergeable:
            return self.sinks[0].params
        merged: list[Any] = []
        for sink in self.sinks:
            merged += [p for p in sink.params if p not in merged]
        return tuple(merged)


class Subscription(_Stream[T]):
    """Async iterator of one subscription's pushes, as typed models.

    The subscribe call is sent when iteration starts (or on `async with`); leaving the iterator
    (`break`, an exception, `aclose()`, or dropping the last reference) unsubscribes. After a
    reconnect the engine subscribes again and the iterator keeps yielding; missed pushes are
    reported as a `Gap` event.

    Several subscriptions of the same method share the server's one subscription of that
    method: if the spec lets the method take many keys (e.g. several markets), their keys are
    merged into one subscribe call and each push goes only to the subscriptions whose keys it
    carries (when the push names its key; otherwise every subscription of the method gets every
    push). Methods that take fixed parameters can be shared only with equal parameters; other
    parameters raise ParameterError (open a second client for them).

    Backpressure: pushes wait in a bounded queue (`maxsize`). With the default policy
    "drop-oldest" a slow consumer loses the oldest pushes, counted in `dropped`; with "block" the
    connection stops reading until the consumer catches up, which delays every other
    subscription and reply and, past the heartbeat timeout, makes the engine reconnect.
    """

    _sink: _SubscriptionSink

    def __init__(self, engine: Engine, sink: _SubscriptionSink) -> None:
        super().__init__(sink)
        self._engine = engine

    @property
    def method(self) -> str:
        return self._sink.kind.spec.method

    @property
    def params(self) -> tuple[Any, ...]:
        return self._sink.params

    def __repr__(self) -> str:
        return f"<Subscription {self._sink.label} dropped={self.dropped}>"

    async def start(self) -> None:
        """Subscribe now (iteration does it by itself). Raises the server's error, if any."""
        if not self._started:
            self._started = True
            await self._engine._attach(self._sink)

    async def aclose(self) -> None:
        """Unsubscribe (or narrow the merged subscription) and end the iterator."""
        if not self._closed:
            self._closed = True
            await self._engine._detach(self._sink)

    async def resync(self, reason: str, *, send: bool = True) -> None:
        """Report a `Resync` event and send the subscribe call again (the server answers with
        fresh state); `send=False` only reports it (after a reconnect the engine re-sent it).
        Resyncs in a row wait as reconnects do (the client's Backoff): a server whose state stays
        inconsistent sees a few subscribe calls a minute, not a storm."""
        if send:
            await self._engine._pace(self._sink.kind)
        self._engine.emit(Resync(self._sink.label, reason))
        if send:
            with contextlib.suppress(ConnectionLost):  # the reconnect subscribes again
                await self._engine._resend(self._sink.kind)

    def __del__(self) -> None:
        if not self._closed and self._started:
            self._closed = True
            self._engine._detach_later(self._sink)


# -- JSON-RPC -----------------------------------------------------------------------------------
class Engine(Connection):
    """Request/reply matching, push routing, authentication and the ping loop, on a Connection."""

    def __init__(
        self,
        url: str,
        *,
        subscribe_specs: Sequence[SubscribeSpec],
        push_decoders: dict[str, JsonDecoder[Any]],
        auth: tuple[str, Callable[[], list[Any]]] | None = None,
        heartbeat: tuple[str, float, float] | None = None,
        watchdog: float | None = None,
        request_timeout: float = 10.0,
        backoff: Backoff | None = None,
        max_queue: int = 1000,
        queue_policy: QueuePolicy = "drop-oldest",
        keep_extra: bool = True,
        on_event: Callable[[Event], object] | None = None,
        connect_options: dict[str, Any] | None = None,
    ) -> None:
        if watchdog is None and heartbeat is not None:  # later than a missing pong is noticed
            watchdog = heartbeat[1] + 2 * heartbeat[2]
        super().__init__(
            url,
            watchdog=watchdog,
            backoff=backoff,
            max_queue=max_queue,
            queue_policy=queue_policy,
            keep_extra=keep_extra,
            on_event=on_event,
            connect_options=connect_options,
            ping_interval=None if heartbeat else 20.0,
        )
        self.request_timeout = request_timeout
        self._auth = auth
        self._heartbeat_spec = heartbeat
        self._kinds = {spec.method: _Kind(spec) for spec in subscribe_specs}
        self._by_push: dict[str, list[_Kind]] = {}
        for kind in self._kinds.values():
            self._by_push.setdefault(kind.spec.push, []).append(kind)
        self._push_decoders = push_decoders
        # push method -> (its decoder, the kinds it feeds): one lookup per push
        self._routes = {
            push: (push_decoders.get(push), tuple(kinds)) for push, kinds in self._by_push.items()
        }
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[str, asyncio.Future[tuple[_Frame, bytes]]]] = {}

    # -- public -------------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        params: Sequence[Any],
        decoder: JsonDecoder[T],
        *,
        timeout: float | None = None,
    ) -> T:
        """Send a request on the live connection and decode its result."""
        frame, raw = await self._call(method, params, timeout)
        try:
            return self._decode(decoder, frame.result)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise DecodeError(method, str(exc), raw) from None

    def subscribe(
        self,
        spec: SubscribeSpec,
        params: tuple[Any, ...],
        keys: tuple[Hashable, ...] | None,
        *,
        maxsize: int | None = None,
        policy: QueuePolicy | None = None,
    ) -> Subscription[Any]:
        """A Subscription (not yet sent: iteration or `async with` starts it)."""
        kind = self._kinds[spec.method]
        queue = _Queue(maxsize or self.max_queue, policy or self.queue_policy)
        sink = _SubscriptionSink(
            kind, params, frozenset(keys) if keys is not None and spec.route else None, queue
        )
        return Subscription(self, sink)

    # -- Connection hooks ---------------------------------------------------------------------
    def _consumers(self) -> Iterable[_Sink]:
        return [sink for kind in self._kinds.values() for sink in kind.sinks]

    def _keepalive(self, ws: ClientConnection) -> list[Any]:
        return [] if self._heartbeat_spec is None else [self._heartbeat(ws, *self._heartbeat_spec)]

    def _lost(self, reason: str) -> None:
        self._fail_pending(f"connection lost ({reason})")

    def _shutdown(self, error: BaseException | None = None) -> None:
        self._fail_pending(str(error) if error else "client closed")
        for kind in self._kinds.values():
            for sink in kind.sinks:
                sink.queue.close(self._end)
            kind.sinks.clear()

    # -- requests -----------------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        params: Sequence[Any],
        timeout: float | None,
        ws: ClientConnection | None = None,
    ) -> tuple[_Frame, bytes]:
        """Send one request and wait for its reply; on the given connection, or the live one."""
        loop = asyncio.get_running_loop()
        timeout = self.request_timeout if timeout is None else timeout
        deadline = loop.time() + timeout
        if ws is None:
            ws = await self._live(method, deadline)
        rid = next(self._ids)
        future: asyncio.Future[tuple[_Frame, bytes]] = loop.create_future()
        self._pending[rid] = (method, future)
        try:
            payload = _ENCODER.encode(
                {
                    C.RPC_REQUEST_METHOD: method,
                    C.RPC_REQUEST_PARAMS: list(params),
                    C.RPC_REQUEST_ID: rid,
                }
            )
            async with asyncio.timeout_at(deadline):
                await ws.send(payload, text=True)
                frame, raw = await future
        except TimeoutError:
            raise RequestTimeout(f"{method}: no reply within {timeout:g} s") from None
        except websockets.ConnectionClosed as exc:
            raise ConnectionLost(f"{method}: connection closed ({exc})") from None
        finally:
            self._pending.pop(rid, None)
        if frame.error != _NULL:
            error = _decode_error(frame.error)
            raise error_for(method, error.code, error.message, raw)
        return frame, raw

    def _fail_pending(self, reason: str) -> None:
        pending, self._pending = self._pending, {}
        for method, future in pending.values():
            if not future.done():
                future.set_exception(ConnectionLost(f"{method}: {reason}"))

    # -- subscriptions ------------------------------------------------------------------------
    async def _attach(self, sink: _SubscriptionSink) -> None:
        kind = sink.kind
        if self._closed:
            sink.queue.close(self._end)
            return
        if self._runner is None:
            raise ConnectionLost(
                f"{kind.spec.method}: not connected (use `async with` or `await client.connect()`)"
            )
        if kind.spec.private and self._auth is None:
            raise MissingCredentials(kind.spec.method)
        wanted = kind.wanted()
        if not kind.spec.mergeable and wanted is not None and wanted != sink.params:
            raise ParameterError(
                kind.spec.method,
                "params",
                f"{list(sink.params)!r} conflict with the active "
                f"subscription {list(wanted)!r}: the server keeps one per connection",
            )
        kind.sinks.append(sink)
        try:
            await self._live(
                kind.spec.method, asyncio.get_running_loop().time() + self.request_timeout
            )
            await self._resend(kind)
        except (APIError, RequestTimeout):
            kind.sinks.remove(sink)
            sink.queue.close()
            self._spawn(self._sync(kind))
            raise
        except ConnectionLost:
            pass  # subscribed again after the reconnect

    async def _detach(self, sink: _SubscriptionSink) -> None:
        kind = sink.kind
        if sink in kind.sinks:
            kind.sinks.remove(sink)
            sink.queue.close()
            with contextlib.suppress(APIError, ConnectionLost, RequestTimeout):
                await self._sync(kind)

    def _detach_later(self, sink: _SubscriptionSink) -> None:
        """From __del__: unsubscribe in the background."""
        kind = sink.kind
        if sink in kind.sinks:
            kind.sinks.remove(sink)
            sink.queue.close()
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # no running loop (interpreter exit)
                return
            if not self._closed:
                self._spawn(self._sync(kind))

    async def _pace(self, kind: _Kind) -> None:
        """Wait before a resync that follows others within the backoff's `reset_after`."""
        loop = asyncio.get_running_loop()
        if loop.time() - kind.resynced_at >= self.backoff.reset_after:
            kind.resyncs = 0
        kind.resyncs += 1
        if kind.resyncs > 1:
            await self._pause(self.backoff.delay(kind.resyncs - 1))
        kind.resynced_at = loop.time()

    async def _resend(self, kind: _Kind) -> None:
        kind.sent = None
        await self._sync(kind)

    async def _sync(self, kind: _Kind) -> None:
        """Make the server's subscription of this method match the active subscriptions."""
        async with kind.lock:
            ws, count = self._ws, self._count
            wanted = kind.wanted()
            if ws is None or self._closed or kind.sent == (count, wanted):
                return
            if wanted is None:
                previous, kind.sent = kind.sent, None
                if previous is not None and previous[0] == count and kind.spec.unsubscribe:
                    await self._call(kind.spec.unsubscribe, [], None, ws)
                return
            await self._call(kind.spec.method, wanted, None, ws)
            kind.sent = (count, wanted)

    async def _setup(self, ws: ClientConnection, first: asyncio.Future[None]) -> None:
        """Authenticate, then subscribe again to everything that was active."""
        try:
            if self._auth is not None:
                method, make_params = self._auth
                try:
                    with secret_frames():
                        await self._call(method, make_params(), None, ws)
                except APIError as exc:
                    self.emit(AuthFailed(exc))
                    if not first.done():
                        first.set_exception(exc)
                        self._abort(ws, "authentication failed")
                        return
            kinds = [kind for kind in self._kinds.values() if kind.sinks]
            results = await asyncio.gather(
                *(self._resend(kind) for kind in kinds), return_exceptions=True
            )
            for kind, result in zip(kinds, results, strict=True):
                if isinstance(result, APIError):
                    self.emit(SubscribeFailed(kind.spec.method, result))
                    for sink in kind.sinks:
                        sink.queue.close(_Marker("error", result))
                    kind.sinks.clear()
                elif isinstance(result, BaseException):
                    raise result
            if kinds and self._count > 1:
                self.emit(Resubscribed(tuple(kind.spec.method for kind in kinds)))
            self._ready.set()
            if not first.done():
                first.set_result(None)
        except (ConnectionLost, RequestTimeout) as exc:
            self._abort(ws, f"setup failed: {exc}")

    def _dispatch(self, data: bytes | str) -> asyncio.Future[Any] | None:
        """Route one frame. Returns an awaitable only when a "block" queue is full."""
        try:
            raw = (
                decompress(data, limit=self.max_frame) if isinstance(data, bytes) else data.encode()
            )
            frame = _FRAME.decode(raw)
        except (zlib.error, msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.emit(FrameError(data, f"{type(exc).__name__}: {exc}"))
            return None
        if frame.method is not None:
            return self._on_push(frame.method, frame.params, raw)
        entry = self._pending.pop(frame.id, None) if isinstance(frame.id, int) else None
        if entry is not None and not entry[1].done():
            entry[1].set_result((frame, raw))
        return None

    def _on_push(self, method: str, params: msgspec.Raw, raw: bytes) -> asyncio.Future[Any] | None:
        route = self._routes.get(method)
        if route is None:
            return None
        decoder, kinds = route
        item: Any = _UNDECODED
        blocked: list[Coroutine[Any, Any, None]] | None = None
        for kind in kinds:
            sinks = kind.sinks
            if not sinks:
                continue
            if item is _UNDECODED:  # decoded once, only if someone listens
                try:
                    item = self._decode(decoder or self._push_decoders[method], params)
                except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                    self._undecodable(method, kinds, raw, exc)
                    return None
            spec = kind.spec
            key = spec.route(item) if spec.route is not None else None
            value = item if spec.unique is None else _fresh(kind, key, item)
            if value is None:
                continue
            for sink in sinks:
                if (sink.keys is None or key in sink.keys) and not sink.queue.offer(value):
                    blocked = blocked or []
                    blocked.append(sink.queue.put(value))  # a full "block" queue
        return None if blocked is None else asyncio.gather(*blocked)

    def _undecodable(self, method: str, kinds: Sequence[_Kind], raw: bytes, exc: Exception) -> None:
        """Its subscriptions missed a push: a gap for each (which one it was for is unknown)."""
        self.emit(FrameError(raw, f"{method}: {exc}"))
        for kind in kinds:
            for sink in kind.sinks:
                sink.queue.mark_gap(_LOST)
                self.emit(Gap(sink.label, f"undecodable {method} push: {exc}"))

    async def _heartbeat(
        self, ws: ClientConnection, method: str, interval: float, timeout: float
    ) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self._call(method, [], timeout, ws)
            except RequestTimeout:
                self._abort(ws, f"heartbeat: no reply to {method} within {timeout:g} s")
                return
            except APIError:
                pass  # an error reply is a sign of life too


_SEEN_MAX = 10_000  # ids remembered per subscribe method


def _fresh(kind: _Kind, key: Hashable, item: Any) -> Any:
    """The push without the list items delivered before (None: nothing new in it)."""
    assert kind.spec.unique is not None
    path, id_attr = kind.spec.unique
    values = item
    for attr in path:
        values = getattr(values, attr, None)
    if not isinstance(values, list):
        return item
    seen, fresh = kind.seen, []
    for value in values:
        ident = (key, getattr(value, id_attr, None))
        if ident not in seen:
            seen[ident] = None
            fresh.append(value)
    while len(seen) > _SEEN_MAX:
        del seen[next(iter(seen))]
    if not fresh:
        return None
    return item if len(fresh) == len(values) else _replaced(item, path, fresh)


def _replaced(obj: Any, path: tuple[str, ...], value: Any) -> Any:
    """A copy of the struct `obj` with the attribute at `path` set to `value`."""
    inner = value if len(path) == 1 else _replaced(getattr(obj, path[0]), path[1:], value)
    return msgspec.structs.replace(obj, **{path[0]: inner})


def _decode_error(raw: msgspec.Raw) -> _Error:
    try:
        value = _ERROR.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return _Error(None, bytes(raw).decode(errors="replace"))
    if isinstance(value, _Error):
        return value
    return _Error(None, str(value))
