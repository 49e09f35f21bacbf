"""Plain messages on a WebSocket connection (AsyncAPI without `x-rpc`).

`MessageEngine` sends encoded payloads and recognises every received frame once (see
`classify`), handing the typed message to the streams that want it. `request` sends one and
waits for the reply carrying the same correlation id (AsyncAPI 3.0 `reply` + `correlationId`).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import websockets

from ._errors import ConnectionLost, DecodeError, ParameterError, RequestTimeout
from ._wire import JsonDecoder
from ._ws_runtime import (
    Backoff,
    Connection,
    Event,
    FrameError,
    QueuePolicy,
    _Queue,
    _Sink,
    _Stream,
    decompress,
)

__all__ = [
    "Backoff",
    "Event",
    "MessageEngine",
    "MessageStream",
    "QueuePolicy",
    "UnknownMessage",
    "Variant",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A received frame that is none of the spec's messages, kept as it came (`raw`, after
    decompression); `reason` says why each candidate message did not fit."""

    raw: bytes
    reason: str


@dataclass(frozen=True, slots=True)
class Variant:
    """One shape of a received message: how `classify` recognises it and decodes it.

    `consts` are top-level properties with the one value the spec allows (a `const`, an `enum`
    of one value, or a discriminator); `decoder` None means the payload is passed on raw."""

    message: str
    decoder: JsonDecoder[Any] | None
    shape: str = "any"  # object | array | string | number | boolean | null | any
    consts: tuple[tuple[str, Any], ...] = ()
    required: frozenset[str] = frozenset()
    properties: frozenset[str] = frozenset()


class _MessageSink(_Sink):
    __slots__ = ("names",)

    def __init__(self, names: frozenset[str] | None, label: str, queue: _Queue) -> None:
        super().__init__(label, queue)
        self.names = names  # messages it wants; None: every one, unknown ones too


class MessageStream(_Stream[T]):
    """Async iterator of received messages, typed.

    It collects from the moment it is created (nothing is sent to the server), connects the
    client if needed on the first iteration, and keeps yielding across reconnects (a `Gap`
    event says messages may have been missed). Leaving it (`break`, `aclose()`, dropping it)
    stops the collecting.

    Backpressure: messages wait in a bounded queue (`maxsize`). With the default policy
    "drop-oldest" a slow consumer loses the oldest ones, counted in `dropped`; with "block" the
    connection stops reading until the consumer catches up (every other stream waits too, so
    close a blocking stream you stop reading).
    """

    _sink: _MessageSink

    def __init__(self, engine: MessageEngine, sink: _MessageSink) -> None:
        super().__init__(sink)
        self._engine = engine
        engine._attach(sink)

    def __repr__(self) -> str:
        return f"<MessageStream {self._sink.label} dropped={self.dropped}>"

    async def start(self) -> None:
        """Connect the client if it is not yet (iteration does it by itself)."""
        if not self._started:
            self._started = True
            await self._engine.ensure_started()

    async def aclose(self) -> None:
        """Stop collecting and end the iterator."""
        if not self._closed:
            self._closed = True
            self._engine._detach(self._sink)

    def __del__(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine._detach(self._sink)


# -- plain messages -----------------------------------------------------------------------------
_FIELDS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_FIRST = {
    ord("["): "array",
    ord('"'): "string",
    ord("t"): "boolean",
    ord("f"): "boolean",
    ord("n"): "null",
}
_MISSING = object()


_Pending = tuple[str, frozenset[str], "asyncio.Future[Any]"]


def _get(raw: bytes, path: tuple[str, ...]) -> Any:
    """The JSON value at `path` in a JSON document (None if absent or not an object)."""
    value: Any = raw
    for part in path:
        try:
            fields = _FIELDS.decode(value)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        if part not in fields:
            return None
        value = fields[part]
    try:
        found = msgspec.json.decode(value)
    except msgspec.DecodeError:
        return None
    return found if isinstance(found, (str, int)) and not isinstance(found, bool) else None


def _put(data: bytes, path: tuple[str, ...], value: Any) -> bytes:
    """The JSON object with `value` set at `path` (other values kept byte for byte)."""
    try:
        fields: dict[str, Any] = dict(_FIELDS.decode(data))
    except (msgspec.ValidationError, msgspec.DecodeError):
        return data
    head, rest = path[0], path[1:]
    if rest:
        inner = fields.get(head)
        inner_data = bytes(inner) if isinstance(inner, msgspec.Raw) else b"{}"
        fields[head] = msgspec.Raw(_put(inner_data, rest, value))
    else:
        fields[head] = value
    return msgspec.json.encode(fields)


def _shape(raw: bytes) -> str:
    """The JSON type of a (valid, non-object) document from its first byte."""
    text = raw.lstrip()
    return _FIRST.get(text[0], "number") if text else "invalid"


class MessageEngine(Connection):
    """Plain messages on a Connection: sends encoded payloads, recognises every received frame
    once (`classify`) and hands it to each stream that wants it."""

    def __init__(
        self, url: str, *, variants: Sequence[Variant], send_timeout: float = 10.0, **options: Any
    ) -> None:
        super().__init__(url, **options)
        self.send_timeout = send_timeout
        self._variants = tuple(variants)
        self._raw_ok = any(v.decoder is None for v in self._variants)
        self._sinks: list[_MessageSink] = []
        # requests awaiting their reply: (reply id path, id) -> (label, reply names, future)
        self._pending: dict[tuple[tuple[str, ...], Any], _Pending] = {}
        self._ids = itertools.count(1)

    async def ensure_started(self) -> None:
        """Connect unless connected (or closed: then iterators just end)."""
        if self._runner is None and not self._closed:
            await self.start()

    async def send(
        self, data: bytes | str, *, text: bool = True, timeout: float | None = None
    ) -> None:
        """Send one frame once the connection is up (waiting at most `timeout` seconds, default
        `send_timeout`, for it). Raises ConnectionLost if it is not, or closes meanwhile."""
        await self.ensure_started()
        loop = asyncio.get_running_loop()
        timeout = self.send_timeout if timeout is None else timeout
        deadline = loop.time() + timeout
        ws = await self._live("send", deadline)
        try:
            async with asyncio.timeout_at(deadline):
                await ws.send(data, text=text)
        except TimeoutError:
            raise ConnectionLost(f"send: not sent within {timeout:g} s") from None
        except websockets.ConnectionClosed as exc:
            raise ConnectionLost(f"send: connection closed ({exc})") from None

    async def request(
        self,
        data: bytes,
        label: str,
        *,
        request_id: tuple[str, ...],
        reply_id: tuple[str, ...],
        id_kind: str,
        replies: frozenset[str],
        timeout: float | None = None,
    ) -> Any:
        """Send a JSON payload and return the typed reply whose `reply_id` equals its
        `request_id` (filled in, a counter for "integer" ids else a UUID, when unset).

        Raises RequestTimeout after `timeout` seconds (default `send_timeout`), ConnectionLost
        when the connection drops or the client closes meanwhile, and DecodeError when the
        correlated frame is not one of `replies`."""
        await self.ensure_started()
        loop = asyncio.get_running_loop()
        timeout = self.send_timeout if timeout is None else timeout
        deadline = loop.time() + timeout
        ident = _get(data, request_id)
        if ident is None or ident == "":
            ident = next(self._ids) if id_kind == "integer" else str(uuid.uuid4())
            data = _put(data, request_id, ident)
        key = (reply_id, ident)
        if key in self._pending:
            raise ParameterError(
                label, "/".join(request_id), f"{ident!r} is already awaiting a reply"
            )
        future: asyncio.Future[Any] = loop.create_future()
        self._pending[key] = (label, replies, future)
        try:
            async with asyncio.timeout_at(deadline):
                ws = await self._live(label, deadline)
                await ws.send(data, text=True)
                return await future
        except TimeoutError:
            raise RequestTimeout(f"{label}: no reply within {timeout:g} s") from None
        except websockets.ConnectionClosed as exc:
            raise ConnectionLost(f"{label}: connection closed ({exc})") from None
        finally:
            self._pending.pop(key, None)

    def _settle(self, name: str | None, item: Any, raw: bytes) -> None:
        """Hand a received frame to the request it answers, if any."""
        for path in {key[0] for key in self._pending}:
            entry = self._pending.pop((path, _get(raw, path)), None)
            if entry is None or entry[2].done():
                continue
            label, replies, future = entry
            if name in replies:
                future.set_result(item)
            else:
                what = f"a {name!r} message" if name else "no message of the spec"
                future.set_exception(
                    DecodeError(label, f"the correlated frame is {what}, not a reply", raw)
                )
            return

    def _fail_pending(self, reason: str) -> None:
        pending, self._pending = self._pending, {}
        for label, _, future in pending.values():
            if not future.done():
                future.set_exception(ConnectionLost(f"{label}: {reason}"))

    def stream(
        self,
        names: frozenset[str] | None,
        label: str,
        *,
        maxsize: int | None = None,
        policy: QueuePolicy | None = None,
    ) -> MessageStream[Any]:
        """A stream of the received messages called `names` (None: all, unknown ones too)."""
        queue = _Queue(maxsize or self.max_queue, policy or self.queue_policy)
        return MessageStream(self, _MessageSink(names, label, queue))

    def classify(self, raw: bytes) -> tuple[str | None, Any]:
        """(message name, typed payload) of a received frame, or (None, UnknownMessage).

        Candidates are the messages whose JSON shape fits (object, array, string, ...); for an
        object, every required property must be there and every constant property (`const`,
        one-value `enum`, discriminator) must hold its value. They are tried best first: most
        constants matched, then most declared properties present, then spec order; the first
        that decodes wins. Raw (undecoded) messages come last and take anything.
        """
        fields: dict[str, msgspec.Raw] | None = None
        try:
            fields = _FIELDS.decode(raw)
            shape = "object"
        except msgspec.ValidationError:
            shape = _shape(raw)
        except msgspec.DecodeError:
            shape = "invalid"
        values: dict[str, Any] = {}
        ranked: list[tuple[int, int, int, Variant]] = []
        errors: list[str] = []
        for index, v in enumerate(self._variants):
            if v.decoder is None:
                ranked.append((-1, 0, -index, v))
                continue
            if shape == "invalid" or v.shape not in (shape, "any"):
                continue
            if fields is None:
                ranked.append((0, 0, -index, v))
                continue
            for key, want in v.consts:
                if key not in fields:
                    break
                got = values.get(key, _MISSING)
                if got is _MISSING:
                    try:
                        got = values[key] = msgspec.json.decode(fields[key])
                    except msgspec.DecodeError:
                        got = values[key] = _MISSING
                if got != want or isinstance(got, bool) != isinstance(want, bool):
                    break
            else:
                if v.required.issubset(fields):
                    ranked.append(
                        (len(v.consts), len(v.properties.intersection(fields)), -index, v)
                    )
                elif v.consts:  # the right tag, but not all the properties it needs
                    errors.append(
                        f"{v.message}: missing {', '.join(sorted(v.required - fields.keys()))}"
                    )
        ranked.sort(key=lambda r: r[:3], reverse=True)
        for *_, v in ranked:
            if v.decoder is None:
                return v.message, raw
            try:
                return v.message, self._decode(v.decoder, raw)
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                errors.append(f"{v.message}: {exc}")
        return None, UnknownMessage(
            raw, "; ".join(errors) or f"no message of the spec fits this {shape}"
        )

    # -- Connection hooks ---------------------------------------------------------------------
    def _consumers(self) -> Iterable[_Sink]:
        return self._sinks

    def _lost(self, reason: str) -> None:
        self._fail_pending(f"connection lost ({reason})")

    def _shutdown(self, error: BaseException | None = None) -> None:
        self._fail_pending(str(error) if error else "client closed")
        for sink in self._sinks:
            sink.queue.close(self._end)
        self._sinks.clear()

    def _attach(self, sink: _MessageSink) -> None:
        if self._closed:
            sink.queue.close(self._end)
        else:
            self._sinks.append(sink)

    def _detach(self, sink: _MessageSink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)
            sink.queue.close()

    def _dispatch(self, data: bytes | str) -> asyncio.Future[Any] | None:
        if isinstance(data, str):
            raw = data.encode()
        else:
            try:
                raw = decompress(data, limit=self.max_frame)
            except zlib.error as exc:
                if not self._raw_ok:
                    self.emit(FrameError(data, f"{type(exc).__name__}: {exc}"))
                    return None
                raw = data  # binary payloads of a raw message: as they came
        if not self._sinks and not self._pending:
            return None
        name, item = self.classify(raw)
        if self._pending:
            self._settle(name, item, raw)
        blocked = [
            sink.queue
            for sink in self._sinks
            if (sink.names is None or name in sink.names) and not sink.queue.offer(item)
        ]
        if blocked:
            return asyncio.gather(*(queue.put(item) for queue in blocked))
        return None
