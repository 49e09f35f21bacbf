"""Local order books kept from order book pushes (the spec's `x-order-book`).

`OrderBook` is the data structure: per side a dict price -> amount plus a sorted list of the
prices (bisect), so an update costs O(log n) to find a level and best bid/ask are O(1).
Prices and amounts stay Decimal. `LiveOrderBook` keeps one in sync with a subscription, through
a `BookFeed` (orderbook.py has one per order book push of the spec).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from ._ws_rpc import Subscription

__all__ = [
    "BookFeed",
    "Level",
    "LiveOrderBook",
    "OrderBook",
    "get_path",
    "levels",
]

Level = tuple[Decimal, Decimal]


class OrderBook:
    """Price levels of one market. Amount 0 deletes a level."""

    __slots__ = ("_ask_prices", "_asks", "_bid_prices", "_bids", "market")

    def __init__(self, market: str = "") -> None:
        self.market = market
        self._asks: dict[Decimal, Decimal] = {}
        self._bids: dict[Decimal, Decimal] = {}
        self._ask_prices: list[Decimal] = []  # ascending
        self._bid_prices: list[Decimal] = []  # ascending: best bid is the last

    def clear(self) -> None:
        self._asks.clear()
        self._bids.clear()
        self._ask_prices.clear()
        self._bid_prices.clear()

    def set_ask(self, price: Decimal, amount: Decimal) -> None:
        asks = self._asks
        if amount:
            if price not in asks:
                insort(self._ask_prices, price)
            asks[price] = amount
        elif asks.pop(price, None) is not None:
            del self._ask_prices[bisect_left(self._ask_prices, price)]

    def set_bid(self, price: Decimal, amount: Decimal) -> None:
        bids = self._bids
        if amount:
            if price not in bids:
                insort(self._bid_prices, price)
            bids[price] = amount
        elif bids.pop(price, None) is not None:
            del self._bid_prices[bisect_left(self._bid_prices, price)]

    def apply(self, clean: bool, asks: Iterable[Level] = (), bids: Iterable[Level] = ()) -> None:
        """Apply a snapshot (`clean`: replaces the book) or an incremental update."""
        if clean:
            self.clear()
        for price, amount in asks:
            self.set_ask(price, amount)
        for price, amount in bids:
            self.set_bid(price, amount)

    def best_ask(self) -> Level | None:
        prices = self._ask_prices
        return (prices[0], self._asks[prices[0]]) if prices else None

    def best_bid(self) -> Level | None:
        prices = self._bid_prices
        return (prices[-1], self._bids[prices[-1]]) if prices else None

    def asks(self, n: int | None = None) -> list[Level]:
        """Ask levels, best (lowest) first; the best `n` only if given."""
        prices = self._ask_prices if n is None else self._ask_prices[:n]
        return [(p, self._asks[p]) for p in prices]

    def bids(self, n: int | None = None) -> list[Level]:
        """Bid levels, best (highest) first; the best `n` only if given."""
        prices = self._bid_prices[::-1] if n is None else self._bid_prices[: -n - 1 : -1]
        return [(p, self._bids[p]) for p in prices]

    def top(self, n: int) -> tuple[list[Level], list[Level]]:
        """(bids, asks), the best `n` levels of each side."""
        return self.bids(n), self.asks(n)

    def spread(self) -> Decimal | None:
        if not (self._ask_prices and self._bid_prices):
            return None
        return self._ask_prices[0] - self._bid_prices[-1]

    def crossed(self) -> bool:
        """Best bid at or above best ask: the book is inconsistent."""
        return bool(
            self._ask_prices and self._bid_prices and self._bid_prices[-1] >= self._ask_prices[0]
        )

    def __len__(self) -> int:
        return len(self._asks) + len(self._bids)

    def __repr__(self) -> str:
        return f"<OrderBook {self.market} bid={self.best_bid()} ask={self.best_ask()} levels={len(self)}>"


@dataclass(frozen=True, slots=True)
class BookFeed:
    """How one push model maintains a book: is it a snapshot, apply it, and (when the push names
    it) the market it is for."""

    clean: Callable[[Any], bool]
    apply: Callable[[OrderBook, Any], None]
    market: Callable[[Any], Any] | None = None


def _strings(value: Any) -> set[str]:
    """The strings among a subscription's arguments, nested lists and tuples included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple)):
        return {s for item in value for s in _strings(item)}
    return set()


def get_path(obj: Any, path: tuple[str, ...]) -> Any:
    """`obj.a.b` for path ("a", "b"); None where an attribute is missing."""
    for name in path:
        obj = getattr(obj, name, None)
    return obj


def levels(value: Any) -> list[Any]:
    """The list of levels, or [] for anything else."""
    return value if isinstance(value, list) else []


class LiveOrderBook:
    """An OrderBook kept in sync with an order book subscription.

    `async for book in live:` yields the book after every consistent update. A snapshot
    replaces the book; updates change levels. When pushes may have been missed (a reconnect, a
    push that did not decode, or the subscription's queue dropped pushes) the book is not
    `synced` until the next snapshot: it re-subscribes to get one (after a reconnect the engine
    already did). A crossed book (best bid >= best ask) also re-subscribes. Each resync is
    reported as a `Resync` event and counted in `resyncs`; resyncs in a row are paced by the
    client's Backoff.

    Several books can share one subscription of several markets (a subscribe method that takes
    many, merged into one call): when the push names its market, a book keeps only the pushes
    for a market among its own subscription's arguments.
    """

    def __init__(self, subscription: Subscription[Any], feed: BookFeed) -> None:
        self.subscription = subscription
        self.book = OrderBook()
        self.resyncs = 0
        self._feed = feed
        markets = _strings(getattr(subscription, "params", ())) if feed.market else set()
        self._markets = frozenset(markets) or None
        self._synced = False
        self._requested = False
        self._dropped = 0

    @property
    def synced(self) -> bool:
        """True while the book matches the server's: False before the first snapshot and from
        a gap until the next snapshot (reading `book` then shows stale levels), as soon as the
        gap happens, not only once the iterator reaches it."""
        sub = self.subscription
        return (
            self._synced and not getattr(sub, "gap_pending", False) and sub.dropped == self._dropped
        )

    @property
    def market(self) -> str:
        return self.book.market

    def __repr__(self) -> str:
        return f"<LiveOrderBook {self.book.market} synced={self._synced} resyncs={self.resyncs}>"

    async def __aenter__(self) -> Self:
        await self.subscription.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.subscription.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> OrderBook:
        sub, feed, book = self.subscription, self._feed, self.book
        while True:
            msg = await sub.next_or_gap()
            if msg is None or sub.dropped != self._dropped:
                self._dropped = sub.dropped
                self._synced = False
                self._requested = False
                if msg is None:
                    self.resyncs += 1
                    if sub.last_gap == "reconnect":
                        await sub.resync("gap: reconnected, waiting for a snapshot", send=False)
                    else:
                        self._requested = True
                        await sub.resync("gap: a push did not decode")
                    continue
            markets, market_of = self._markets, feed.market
            if markets is not None and market_of is not None and market_of(msg) not in markets:
                continue  # another book's market on the shared subscription
            if feed.clean(msg):
                feed.apply(book, msg)
                self._synced, self._requested = True, False
            elif self._synced:
                feed.apply(book, msg)
            else:
                if not self._requested:
                    self._requested = True
                    self.resyncs += 1
                    await sub.resync("update without a snapshot (missed pushes)")
                continue
            if book.crossed():
                self._synced, self._requested = False, True
                self.resyncs += 1
                await sub.resync(f"crossed book: bid {book.best_bid()} >= ask {book.best_ask()}")
                continue
            return book
