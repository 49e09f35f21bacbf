"""Stage 3 for AsyncAPI 2.x/3.0: build a `WsApi`, with JSON-RPC framing (`x-rpc`) or without.

With `x-rpc`, every message that carries `x-rpc-method` becomes part of the model: requests and
subscribe calls become client methods (their `params` array gives the positional arguments),
replies give the methods' result types, pushes give the typed models that subscriptions yield.

Without it, the document's channels and operations give plain messages (`_PlainBuilder`): one
`WsChannel` per channel with operations, listing what the client sends and what it receives
(AsyncAPI 2.x: `publish` = sent, `subscribe` = received; 3.0: `send` = sent, `receive` =
received, replies the other way), each message with its payload type and the JSON shapes and
constant properties that tell received messages apart.

Types come from the project's one `TypeMapper` (generator/model/types.py): schemas that become
Python classes are hoisted into the `models` ModelSet the REST half shares, with final PascalCase
names; positional arrays (`items: [...]` with titles, or `x-positional`) become array_like structs.
Nothing here knows an exchange: every name comes from the spec.
"""

from __future__ import annotations

import dataclasses

from generator.document import Location
from generator.load import Document, Resolver
from generator.model.asyncapi.rpc import _Builder
from generator.model.ir import WsApi
from generator.model.types import TypeMapper

__all__ = ["build_ws_api"]


def build_ws_api(
    doc: Document, resolver: Resolver, package: str, *, types: TypeMapper | None = None
) -> WsApi:
    """The WebSocket part of the intermediate model, read from the document model
    (`generator.document`). Raises SpecError (located) on bad input; warnings come back in
    `WsApi.warnings`.

    Pass the project's `types` (the mapper the REST half used) to share its classes: `WsApi.models`
    is then the same ModelSet as `RestApi.models`."""
    builder = _Builder(doc, resolver, package, types)
    try:
        ws = builder.build()
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A shape the validator let through but the model cannot read: still a located problem.
        reason = (
            "a schema that only refers to itself"
            if isinstance(exc, RecursionError)
            else f"{type(exc).__name__}: {exc}"
        )
        where = builder.where or Location.at(doc, "")
        builder.fail(where, f"cannot read this part of the spec ({reason})")
        builder.check()
        raise  # unreachable: check() raised
    return dataclasses.replace(ws, warnings=builder.diagnostics.result())
