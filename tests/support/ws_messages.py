"""The AsyncAPI document's messages, for checking recorded frames against their schemas.

Used by unit/test_ws_recordings.py and sdk/test_ws_replay.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from generator.load import Document, Resolver, load_document


class Messages:
    """The spec's messages by wire method and kind, with fully dereferenced payload schemas."""

    def __init__(self, path: Path) -> None:
        self.doc: Document = load_document(path)
        self.resolver = Resolver(self.doc)
        self.by_name: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_key: dict[str, dict[str, Any]] = {}
        for key, msg in self.doc.data["components"]["messages"].items():
            meta = msg["x-rpc-method"]
            self.by_key[key] = msg
            kind = (
                "call" if meta["kind"] in ("request", "subscribe", "unsubscribe") else meta["kind"]
            )
            for name in [meta["name"], *meta.get("aliases", [])]:
                self.by_name[(name, kind)] = msg

    def inline(
        self, node: Any, pointer: str = "", depth: int = 0, doc: Document | None = None
    ) -> Any:
        assert depth < 40, f"$ref nesting too deep at {pointer}"
        loc = self.resolver.follow(node, doc or self.doc, pointer)  # maybe into a component file
        if isinstance(loc.value, dict):
            return {
                k: self.inline(v, f"{loc.pointer}/{k}", depth + 1, loc.doc)
                for k, v in loc.value.items()
            }
        if isinstance(loc.value, list):
            return [
                self.inline(v, f"{loc.pointer}/{i}", depth + 1, loc.doc)
                for i, v in enumerate(loc.value)
            ]
        return loc.value

    def validate(self, frame: dict[str, Any], msg: dict[str, Any], where: str) -> None:
        schema = self.inline(msg["payload"])
        errors = sorted(
            jsonschema.Draft7Validator(schema).iter_errors(frame), key=lambda e: list(e.path)
        )
        assert not errors, f"{where}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
