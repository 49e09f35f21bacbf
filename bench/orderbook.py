"""5. Order book: level updates per second applied to `hotbit.OrderBook`, reading best bid and best ask
after every message. Target: at least 200,000 level updates per second.

Input: the depth.update stream of bench/feed.py (a 100-level snapshot, then updates of ~4 levels
with changes, inserts and deletions near the top), decoded beforehand into our push models by the
WebSocket client's decoder, so only the book is timed. Levels go in through the generated feed
(`hotbit.orderbook.*_FEED.apply`, what `LiveOrderBook` uses). The baseline column is a hand-written book
on `sortedcontainers.SortedDict` (one per side, best = `peekitem`), the usual do-it-yourself
answer; the "decode + apply" number is printed for information.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import feed
from bench._common import Report, Row, compare

TARGET = 200_000
MESSAGES = 4000


def _our_book() -> tuple[type, Callable[[Any, Any], None]] | None:
    try:
        from hotbit import orderbook
    except ImportError:
        return None
    book_cls = getattr(orderbook, "OrderBook", None)
    book_feed = getattr(orderbook, "BookFeed", None)
    feeds = [
        getattr(orderbook, n)
        for n in sorted(dir(orderbook))
        if n.endswith("_FEED")
        and (book_feed is None or isinstance(getattr(orderbook, n), book_feed))
    ]
    feed_obj = feeds[0] if len(feeds) == 1 else None  # the generated depth.update feed
    if book_cls is None:
        return None
    if feed_obj is not None:
        return book_cls, feed_obj.apply

    def apply(book: Any, msg: Any) -> None:  # what a generated feed does: set_ask/set_bid per level
        if msg.clean:
            book.clear()
        set_ask, set_bid = book.set_ask, book.set_bid
        asks, bids = msg.book.asks, msg.book.bids
        for level in asks if isinstance(asks, list) else ():
            set_ask(level.price, level.amount)
        for level in bids if isinstance(bids, list) else ():
            set_bid(level.price, level.amount)

    return book_cls, apply


def _sorted_dict_book() -> Callable[[list[Any]], None]:
    from sortedcontainers import SortedDict

    def run(msgs: list[Any]) -> None:
        asks: SortedDict = SortedDict()
        bids: SortedDict = SortedDict()
        for msg in msgs:
            if msg.clean:
                asks.clear()
                bids.clear()
            b = msg.book
            if isinstance(b.asks, list):
                for level in b.asks:
                    if level.amount:
                        asks[level.price] = level.amount
                    else:
                        asks.pop(level.price, None)
            if isinstance(b.bids, list):
                for level in b.bids:
                    if level.amount:
                        bids[level.price] = level.amount
                    else:
                        bids.pop(level.price, None)
            if asks:
                asks.peekitem(0)
            if bids:
                bids.peekitem(-1)

    return run


def run(report: Report, rounds: int = 7) -> None:
    from bench.decode import ws_push_decoder

    ours = _our_book()
    decode = ws_push_decoder()
    if ours is None or decode is None:
        report.add(
            Row.missing(
                "order book level updates/s",
                f">= {TARGET:,}/s",
                "no hotbit.orderbook.OrderBook yet" if ours is None else "no WS decoder",
            )
        )
        return
    book_cls, apply = ours
    import orjson

    pushes = feed.stream(MESSAGES)
    levels = sum(feed.level_count(p) for p in pushes)
    frames = [orjson.dumps(p) for p in pushes]
    msgs = [decode("depth.update", f) for f in frames]
    assert all(isinstance(m.book.asks, list) or isinstance(m.book.bids, list) for m in msgs)

    def ours_apply() -> None:
        book = book_cls("BTCUSDT")
        for msg in msgs:
            apply(book, msg)
            book.best_bid()
            book.best_ask()

    def ours_decode_apply() -> None:
        book = book_cls("BTCUSDT")
        for f in frames:
            apply(book, decode("depth.update", f))
            book.best_bid()
            book.best_ask()

    check = book_cls("BTCUSDT")  # the stream keeps the book uncrossed: a sanity check, untimed
    for msg in msgs:
        apply(check, msg)
    best_bid, best_ask = check.best_bid(), check.best_ask()
    assert best_bid is not None and best_ask is not None and best_bid[0] < best_ask[0], (
        best_bid,
        best_ask,
    )
    baseline = _sorted_dict_book()
    print(
        f"[orderbook] {MESSAGES} depth.update messages, {levels:,} level updates; "
        f"median of {rounds} rounds",
        flush=True,
    )
    t = compare(
        {
            "ours": ours_apply,
            "SortedDict": lambda: baseline(msgs),
            "ours decode+apply": ours_decode_apply,
        },
        rounds=rounds,
        per_round=3,
        target=0.05,
    )
    rate = {k: levels / v for k, v in t.items()}
    for k, v in rate.items():
        print(
            f"  {k:18} {v:12,.0f} level updates/s ({t[k] / MESSAGES * 1e6:.2f} us/message)",
            flush=True,
        )
    report.add(
        Row(
            "order book level updates/s",
            f"{rate['ours']:,.0f} /s",
            f"{rate['SortedDict']:,.0f} /s SortedDict",
            rate["ours"] / rate["SortedDict"],
            f">= {TARGET:,} /s",
            rate["ours"] >= TARGET,
            f"best bid/ask read after each message; decode+apply: {rate['ours decode+apply']:,.0f} /s",
        )
    )
