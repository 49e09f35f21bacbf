"""The WebSocket connection every client shares.

`Connection` connects, reconnects with exponential backoff and jitter, watches the connection
(heartbeat, watchdog), reports events and feeds bounded per-consumer queues (drop-oldest or
block) that report gaps after a reconnect. What a frame means is a subclass's: `_ws_rpc.Engine`
(JSON-RPC, the spec's `x-rpc`) or `_ws_plain.MessageEngine` (plain messages). The events are one
vocabulary for both; the RPC ones (Resubscribed, Resync, AuthFailed, SubscribeFailed) only come
from the RPC engine. Compression of binary frames comes from the spec's `x-frames`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Self, TypeVar, cast

import websockets
from websockets.asyncio.client import ClientConnection, connect

from ._constants import (
    BINARY_FRAMES,
    RECONNECT_INITIAL_DELAY,
    RECONNECT_MAX_DELAY,
    RECONNECT_RESET_AFTER,
)
from ._errors import APIError, ConnectionLost
from ._extra import decode_keeping
from ._wire import JsonDecoder

__all__ = [
    "AuthFailed",
    "Backoff",
    "Connected",
    "Connection",
    "Disconnected",
    "Event",
    "FrameError",
    "Gap",
    "QueuePolicy",
    "Reconnecting",
    "Resubscribed",
    "Resync",
    "SubscribeFailed",
    "decompress",
    "secret_frames",
]

T = TypeVar("T")
log = logging.getLogger(__name__)


# -- events -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Connected:
    """A connection is open (`count` = connections so far, 1 for the first)."""

    url: str
    count: int


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The connection closed; pending requests failed with ConnectionLost."""

    reason: str


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The next connection attempt starts after `delay` seconds."""

    attempt: int
    delay: float


@dataclass(frozen=True, slots=True)
class Resubscribed:
    """After a reconnect, every active subscription was sent again."""

    subscriptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """Pushes of this subscription may have been missed (connection lost)."""

    subscription: str
    reason: str


@dataclass(frozen=True, slots=True)
class Resync:
    """A consumer (e.g. an order book) found its state inconsistent and re-subscribed."""

    subscription: str
    reason: str


@dataclass(frozen=True, slots=True)
class FrameError:
    """A frame could not be decompressed or decoded; it was skipped."""

    raw: bytes | str
    error: str


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """Authentication on a (re)connect was refused."""

    error: APIError


@dataclass(frozen=True, slots=True)
class SubscribeFailed:
    """Re-subscribing after a reconnect was refused; the subscription's iterators raise it."""

    subscription: str
    error: APIError


Event = (
    Connected
    | Disconnected
    | Reconnecting
    | Resubscribed
    | Gap
    | Resync
    | FrameError
    | AuthFailed
    | SubscribeFailed
)
QueuePolicy = Literal["drop-oldest", "block"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Reconnect delays: `initial * factor ** (attempt - 1)`, capped at `maximum`, each shortened
    by a random fraction up to `jitter`. The attempt count starts again once a connection stayed up
    for `reset_after` seconds. `max_attempts` (None = forever) bounds attempts in a row."""

    initial: float = RECONNECT_INITIAL_DELAY
    maximum: float = RECONNECT_MAX_DELAY
    factor: float = 2.0
    jitter: float = 0.5
    reset_after: float = RECONNECT_RESET_AFTER
    max_attempts: int | None = None

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor ** min(attempt - 1, 64))
        return base * (1.0 - self.jitter * random.random())


_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "zlib": zlib.MAX_WBITS, "deflate": -zlib.MAX_WBITS}
# Deflate cannot inflate more than 1032:1 (zlib's FAQ: a 258-byte match in 2 bits), so a frame at
# most `limit // 1032` long cannot pass the limit: one `zlib.decompress` call, no streaming object.
_MAX_RATIO = 1032


def decompress(data: bytes, codec: str = BINARY_FRAMES, limit: int | None = None) -> bytes:
    """The payload of a binary frame. `auto` tells gzip, zlib and plain JSON from the header bytes
    and treats anything else as raw deflate. Inflating stops past `limit` bytes (zlib.error)."""
    if codec == "auto":
        head = data[:2]
        if head == b"\x1f\x8b":
            wbits = 16 + zlib.MAX_WBITS
        elif head[:1] in (b"{", b"["):
            return data
        elif len(head) == 2 and (head[0] << 8 | head[1]) % 31 == 0:
            wbits = 32 + zlib.MAX_WBITS
        else:
            wbits = -zlib.MAX_WBITS
    elif codec == "none":
        return data
    else:
        wbits = _WBITS[codec]
    if limit is None or len(data) * _MAX_RATIO <= limit:
        return zlib.decompress(data, wbits)
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise zlib.error(f"frame inflates beyond the {limit}-byte limit")
    if not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return out


# -- secrets stay out of logs ---------------------------------------------------------------------
_SECRET = contextvars.ContextVar("secret_frame", default=False)


@contextlib.contextmanager
def secret_frames() -> Any:
    """Frames sent inside this block carry credentials: no logger shows them."""
    token = _SECRET.set(True)
    try:
        yield
    finally:
        _SECRET.reset(token)


class RedactFrames(logging.Filter):
    """Replaces the log lines a library writes while a secret frame is sent (see secret_frames):
    `websockets` logs frames at DEBUG, truncated but with parts of keys and signatures."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRET.get():
            record.msg, record.args = "[frame redacted: it carries credentials]", ()
        return True


def _install_redaction(logger: Any) -> None:
    logger = getattr(logger, "logger", logger)  # a LoggerAdapter's logger
    if isinstance(logger, logging.Logger) and not any(
        isinstance(f, RedactFrames) for f in logger.filters
    ):
        logger.addFilter(RedactFrames())


# -- queues and consumers -------------------------------------------------------------------------
class _Marker:
    __slots__ = ("error", "name")

    def __init__(self, name: str, error: BaseException | None = None) -> None:
        self.name, self.error = name, error


_END = _Marker("end")
_GAP = _Marker("reconnect")  # pushes missed while reconnecting (the engine subscribed again)
_LOST = _Marker("lost")  # a push was lost on a live connection (it did not decode)


class _Queue:
    """Bounded FIFO from the reader to one consumer. Policy when full: "drop-oldest" discards the
    oldest item and counts it in `dropped`; "block" makes the reader wait (see Subscription)."""

    __slots__ = ("_getter", "_space", "block", "closed", "dropped", "gaps", "items", "maxsize")

    def __init__(self, maxsize: int, policy: QueuePolicy) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.items: deque[object] = deque()
        self.maxsize, self.block = maxsize, policy == "block"
        self.dropped = 0
        self.gaps = 0  # gap markers waiting
        self.closed = False
        self._getter: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None

    def offer(self, item: object) -> bool:
        """Add without waiting; False only if a blocking queue is full."""
        if len(self.items) >= self.maxsize:
            if self.block and not self.closed:
                return False
            dropped = self.items.popleft()
            if dropped is _GAP or dropped is _LOST:
                self.gaps -= 1
            self.dropped += 1
        self.items.append(item)  # force(), inlined: the per-push path
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)
        return True

    def force(self, item: object) -> None:
        """Add regardless of the bound (markers only: at most a few)."""
        self.items.append(item)
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)

    async def put(self, item: object) -> None:
        while not self.offer(item):
            self._space = asyncio.get_running_loop().create_future()
            try:
                await self._space
            finally:
                self._space = None

    async def get(self) -> object:
        while not self.items:
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        item = self.items.popleft()
        if item is _GAP or item is _LOST:
            self.gaps -= 1
        space = self._space
        if space is not None and not space.done():
            space.set_result(None)
        return item

    def mark_gap(self, marker: _Marker = _GAP) -> None:
        """Note that pushes may be missing here (one marker for consecutive gaps)."""
        if self.items and self.items[-1] is marker:
            return
        self.gaps += 1
        if not self.offer(marker):
            self.force(marker)

    def close(self, marker: _Marker = _END) -> None:
        self.closed = True
        self.force(marker)
        space = self._space
        if space is not None and not space.done():
            space.set_result(None)


class _Sink:
    """What the engine holds for one consumer (the user holds its iterator)."""

    __slots__ = ("label", "queue")

    def __init__(self, label: str, queue: _Queue) -> None:
        self.label, self.queue = label, queue


class _Stream(Generic[T]):
    """Async iterator over one consumer's queue: yields items, skips gap markers, ends at the
    end marker. `start()` (called by the first iteration) and `aclose()` are the subclass's."""

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink
        self._started = False
        self._closed = False
        self._gap = ""

    @property
    def last_gap(self) -> str:
        """Why the last gap `next_or_gap` reported happened: "reconnect" (pushes were missed
        while reconnecting; the subscription was sent again) or "lost" (a push did not decode)."""
        return self._gap

    @property
    def gap_pending(self) -> bool:
        """A gap is waiting in the queue: the items before it are older than the gap."""
        return self._sink.queue.gaps > 0

    @property
    def dropped(self) -> int:
        """Items discarded because the queue was full (policy "drop-oldest")."""
        return self._sink.queue.dropped

    @property
    def pending(self) -> int:
        """Items waiting in the queue."""
        return sum(not isinstance(item, _Marker) for item in self._sink.queue.items)

    async def start(self) -> None:
        self._started = True

    async def aclose(self) -> None:
        self._closed = True

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._started:  # get_ready(), inlined: the per-push path
            queue = self._sink.queue
            items = queue.items
            if items and items[0].__class__ is not _Marker:
                space = queue._space
                if space is not None and not space.done():
                    space.set_result(None)
                return items.popleft()  # type: ignore[return-value]  # no cast() call per push
        while True:
            item = await self._next()
            if not isinstance(item, _Marker):  # else a gap marker: skipped
                return cast(T, item)

    async def next_or_gap(self) -> T | None:
        """The next item, or None where items may have been missed (`last_gap` says why)."""
        item = await self._next()
        if isinstance(item, _Marker):
            self._gap = item.name
            return None
        return cast(T, item)

    async def _next(self) -> object:
        """The next item or the gap marker; raises at the end."""
        if not self._started:
            await self.start()
        item = await self._sink.queue.get()
        if isinstance(item, _Marker) and item is not _GAP and item is not _LOST:
            self._sink.queue.force(item)  # stay ended
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item


# -- the connection -----------------------------------------------------------------------------
class Connection:
    """One WebSocket connection kept alive: connects, reconnects with exponential backoff and
    jitter, watches the connection (a silent one is dropped by the watchdog, and the protocol
    ping when `ping_interval` is set), reports events and marks gaps in every consumer's queue.
    Subclasses decide what a frame means (`_dispatch`) and what to do after a connect (`_setup`)."""

    def __init__(
        self,
        url: str,
        *,
        watchdog: float | None = None,
        backoff: Backoff | None = None,
        max_queue: int = 1000,
        queue_policy: QueuePolicy = "drop-oldest",
        keep_extra: bool = True,
        on_event: Callable[[Event], object] | None = None,
        connect_options: dict[str, Any] | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
    ) -> None:
        self.url = url
        self.backoff = backoff or Backoff()
        self.max_queue, self.queue_policy = max_queue, queue_policy
        # received models keep their undeclared keys for `model_extra` (on a saturated feed of
        # small pushes about a tenth of the client's CPU: bench/README.md)
        self.keep_extra = keep_extra
        self._watchdog = watchdog
        self._on_event = on_event
        self._connect_options: dict[str, Any] = {
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "close_timeout": 2.0,
            "max_size": 2**24,
            **(connect_options or {}),
        }
        self._ws: ClientConnection | None = None
        self._count = 0  # connections opened so far
        self._ready = asyncio.Event()
        self._closed = False
        self._closing = asyncio.Event()  # set once closed: ends waits such as a paced resync
        self._runner: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listeners: set[_Queue] = set()
        self._abort_reason = ""
        self._rx = 0  # frames received (the watchdog compares counts, not clock reads)
        self._end: _Marker = _END  # what consumers get after the end (an error after giving up)
        size = self._connect_options.get("max_size")
        self.max_frame = size if isinstance(size, int) else None  # also caps inflated frames
        _install_redaction(
            self._connect_options.get("logger") or logging.getLogger("websockets.client")
        )

    def _decode(self, decoder: JsonDecoder[T], buffer: Any) -> T:
        """A received message, typed; its models noted for `model_extra` if `keep_extra`."""
        return decode_keeping(decoder, buffer) if self.keep_extra else decoder.decode(buffer)

    # -- what subclasses add ------------------------------------------------------------------
    def _consumers(self) -> Iterable[_Sink]:
        """Every active consumer queue (gaps are marked in them after a disconnect)."""
        return ()

    def _dispatch(self, data: bytes | str) -> asyncio.Future[Any] | None:
        """Handle one frame. Returns an awaitable only when a "block" queue is full."""
        raise NotImplementedError

    def _keepalive(self, ws: ClientConnection) -> list[Any]:
        """Coroutines that run beside the reader for one connection (e.g. a ping loop)."""
        return []

    async def _setup(self, ws: ClientConnection, first: asyncio.Future[None]) -> None:
        """Runs on every connect; marks the connection ready."""
        self._ready.set()
        if not first.done():
            first.set_result(None)

    def _lost(self, reason: str) -> None:
        """The connection is gone (before the Gap and Disconnected events)."""

    def _shutdown(self, error: BaseException | None = None) -> None:
        """The client is closing: end every consumer (raising `error` in it, if given)."""

    # -- public -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._ready.is_set() and not self._closed

    async def start(self) -> None:
        """Connect (and set up). Raises ConnectionLost or the setup's error on failure."""
        if self._closed:
            raise ConnectionLost(f"{self.url}: the client is closed")
        if self._runner is not None:
            return
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._runner = asyncio.create_task(self._run(first), name=f"ws-engine {self.url}")
        try:
            await first
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection; pending calls fail, every iterator ends. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        self._ready.set()  # wakes callers waiting for a connection; they see _closed
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        self._shutdown()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for listener in self._listeners:
            listener.close()

    def _give_up(self, error: ConnectionLost) -> None:
        """From the connection loop: end like close() (which awaits this loop, so it cannot be
        called here); consumers raise `error`, events() ends."""
        self._closed = True
        self._closing.set()
        self._ready.set()
        self._end = _Marker("error", error)
        self._shutdown(error)
        for task in list(self._tasks):
            task.cancel()
        for listener in self._listeners:
            listener.close()

    def emit(self, event: Event) -> None:
        for listener in self._listeners:
            listener.offer(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("on_event callback failed for %r", event)

    async def events(self, maxsize: int = 1000) -> AsyncIterator[Event]:
        """Connection events until the client closes (oldest dropped past `maxsize`)."""
        if self._closed:
            return
        queue = _Queue(maxsize, "drop-oldest")
        self._listeners.add(queue)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Marker):
                    return
                yield cast(Event, item)
        finally:
            self._listeners.discard(queue)

    async def _live(self, method: str, deadline: float) -> ClientConnection:
        """The connection once it is ready (set up), waiting until deadline."""
        if self._runner is None:
            raise ConnectionLost(
                f"{method}: not connected (use `async with` or `await client.connect()`)"
            )
        while True:
            if self._closed:
                raise ConnectionLost(f"{method}: client closed")
            if self._ready.is_set() and self._ws is not None:
                return self._ws
            try:
                async with asyncio.timeout_at(deadline):
                    await self._ready.wait()
            except TimeoutError:
                raise ConnectionLost(f"{method}: not connected (reconnecting)") from None

    async def _pause(self, delay: float) -> None:
        """Sleep `delay` seconds, or less if the client closes meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), delay)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("background task failed: %r", task.exception())

    # -- the connection loop ------------------------------------------------------------------
    async def _run(self, first: asyncio.Future[None]) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while not self._closed:
            try:
                ws = await connect(self.url, **self._connect_options)
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                reason = f"connect failed: {exc!r}"
                if not first.done():
                    first.set_exception(ConnectionLost(f"cannot connect to {self.url}: {exc}"))
                    return
            else:
                opened = loop.time()
                try:
                    reason = await self._session(ws, first)
                except Exception as exc:  # a bug must not end the reconnect loop
                    log.exception("WebSocket session failed")
                    reason = f"internal error: {exc!r}"
                if loop.time() - opened >= self.backoff.reset_after:
                    attempt = 0
            if self._closed or first.done() and first.exception() is not None:
                return
            attempt += 1
            if self.backoff.max_attempts is not None and attempt > self.backoff.max_attempts:
                log.warning("giving up on %s after %d attempts: %s", self.url, attempt - 1, reason)
                self._give_up(
                    ConnectionLost(f"{self.url}: gave up after {attempt - 1} attempts: {reason}")
                )
                return
            delay = self.backoff.delay(attempt)
            self.emit(Reconnecting(attempt, delay))
            await asyncio.sleep(delay)

    async def _session(self, ws: ClientConnection, first: asyncio.Future[None]) -> str:
        """Serve one connection until it breaks; returns why it ended."""
        self._ws, self._count = ws, self._count + 1
        self._abort_reason = ""
        self.emit(Connected(self.url, self._count))
        tasks = [asyncio.create_task(self._setup(ws, first))]
        tasks += [asyncio.create_task(coro) for coro in self._keepalive(ws)]
        if self._watchdog is not None:
            tasks.append(asyncio.create_task(self._watch(ws, self._watchdog)))
        reason = "closed"
        try:
            reason = await self._read(ws)
        finally:
            self._ready.clear()
            self._ws = None
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._lost(reason)
            if not first.done():
                first.set_exception(
                    ConnectionLost(f"connection to {self.url} lost during setup: {reason}")
                )
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)
            self._abort(ws, "")
            if not self._closed:
                for sink in self._consumers():
                    sink.queue.mark_gap()
                    self.emit(Gap(sink.label, reason))
            self.emit(Disconnected(reason))
        return reason

    async def _read(self, ws: ClientConnection) -> str:
        try:
            while True:
                data = await ws.recv()
                self._rx += 1
                blocked = self._dispatch(data)
                if blocked is not None:
                    await blocked
        except websockets.ConnectionClosed as exc:
            return self._abort_reason or f"connection closed ({exc})"

    async def _watch(self, ws: ClientConnection, limit: float) -> None:
        """Abort once no frame came for `limit` s (a frame counter checked every `limit / 4` s:
        never before `limit` s of silence, at most about `limit / 2` s after)."""
        loop = asyncio.get_running_loop()
        seen, since = self._rx, loop.time()
        while True:
            await asyncio.sleep(limit / 4)
            now = loop.time()
            if self._rx != seen:
                seen, since = self._rx, now
            elif now - since >= limit:
                self._abort(ws, f"watchdog: nothing received for {now - since:.1f} s")
                return

    def _abort(self, ws: ClientConnection, reason: str) -> None:
        """Drop the connection at once (no closing handshake); the reader then ends."""
        if reason and not self._abort_reason:
            self._abort_reason = reason
        transport = getattr(ws, "transport", None)
        if transport is not None:
            transport.abort()
