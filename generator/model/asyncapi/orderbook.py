"""`x-order-book`: how a subscription's pushes maintain a local order book."""

from __future__ import annotations

from typing import Any

from generator.document import Location
from generator.load import Located
from generator.model.asyncapi.common import _Message
from generator.model.ir import WsMethod, WsOrderBook
from generator.model.types import TypeMapper
from generator.naming import snake
from generator.problems import join_pointer


class OrderBooks:
    """Mixed into the RPC builder: reads `x-order-book` against the push models."""

    types: TypeMapper

    def fail(self, where: Location, message: str) -> None:
        raise NotImplementedError

    def _order_book(
        self, msg: _Message, method: WsMethod, books: list[WsOrderBook], py_names: set[str]
    ) -> WsOrderBook | None:
        ext = msg.node.extensions["x-order-book"]
        where, raw = ext.location, ext.value
        if not isinstance(raw, dict):
            self.fail(where, "x-order-book must be an object (see docs/spec-extensions.md)")
            return None
        if raw.get("push", method.push) != method.push:
            self.fail(where.child("push"), f"the method's push is {method.push!r}")
            return None
        model = method.result.model
        if model is None:
            self.fail(where, "the push of an order book method must be a model with named fields")
            return None

        def path(key: str, required: bool = True) -> tuple[tuple[str, ...], Located | None]:
            text = raw.get(key)
            if text is None and not required:
                return (), None
            if not isinstance(text, str) or not text:
                self.fail(
                    where.child(key),
                    "must name a push field (dotted for nested fields)",
                )
                return (), None
            current: str | None = model
            attrs: list[str] = []
            node: Located | None = None
            for part in text.split("."):
                fields = self.types.fields(current or "")
                if part not in fields:
                    self.fail(
                        where.child(key),
                        f"{text!r}: {part!r} is not a field of the push model {current or '(not a model)'}"
                        f" (fields: {', '.join(fields) or 'none'})",
                    )
                    return (), None
                attrs.append(fields[part])
                node = self.types.field_nodes(current or "")[part]
                loc, _ = self.types.follow(node.value, node.doc, node.pointer)
                current = self.types.model_of(loc)
            return tuple(attrs), node

        clean, _ = path("clean")
        asks, asks_node = path("asks")
        bids, _ = path("bids")
        market, _ = path("market", required=False)
        if not (clean and asks and bids) or asks_node is None:
            return None
        price = self._level_accessor(raw, "price", 0, asks_node, where)
        amount = self._level_accessor(raw, "amount", 1, asks_node, where)
        if price is None or amount is None:
            return None
        name = raw.get(
            "name",
            "order_book"
            if not books
            else f"{method.py_name.removesuffix('_subscribe')}_order_book",
        )
        py_name = snake(str(name))
        if py_name in {b.py_name for b in books} or (
            py_name in py_names and py_name != "order_book"
        ):
            self.fail(where.child("name"), f"{py_name!r} is already a method name")
            return None
        py_names.add(py_name)
        return WsOrderBook(
            method=method.name,
            py_name=py_name,
            push=str(method.push),
            model=method.result,
            clean=clean,
            asks=asks,
            bids=bids,
            market=market,
            price=price,
            amount=amount,
        )

    def _level_accessor(
        self, raw: dict[str, Any], key: str, default: int, side: Located, where: Location
    ) -> str | None:
        """Python suffix reading a level's price/amount: '.price' on a struct, '[0]' on a list."""
        loc, _ = self.types.follow(side.value, side.doc, side.pointer)
        items = loc.value.get("items") if isinstance(loc.value, dict) else None
        if not isinstance(items, dict):
            self.fail(where.child("asks"), "must name an array of levels")
            return None
        level, _ = self.types.follow(items, loc.doc, join_pointer(loc.pointer, "items"))
        model = self.types.model_of(level)
        wanted = raw.get(key, default)
        if model is None:  # a plain array such as [price, amount]
            if isinstance(wanted, int) and not isinstance(wanted, bool):
                return f"[{wanted}]"
            self.fail(
                where.child(key),
                "a level that is a plain array is read by position (an integer)",
            )
            return None
        fields = self.types.fields(model)
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            if model not in self.types.models.positional or wanted >= len(fields):
                self.fail(
                    where.child(key),
                    f"level model {model} has no position {wanted}",
                )
                return None
            return "." + list(fields.values())[wanted]
        if wanted not in fields:
            self.fail(
                where.child(key),
                f"{wanted!r} is not a field of the level model {model}",
            )
            return None
        return "." + fields[str(wanted)]
