"""Python-safe names from arbitrary spec strings."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from typing import Any

_RESERVED = (
    set(keyword.kwlist) | set(keyword.softkwlist) | {"self", "cls", "timeout", "extra_headers"}
)
_SHADOWED_BUILTINS = set(dir(builtins))


def _ascii_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z])([A-Z][a-z])", r"\1 \2", text)  # HTTPCode: HTTP Code
    return [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]


def snake(text: str, *, avoid_builtins: bool = False, fallback: str = "value") -> str:
    words = _ascii_words(text)
    name = "_".join(w.lower() for w in words) or fallback
    if name and name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in _RESERVED or (avoid_builtins and name in _SHADOWED_BUILTINS):
        name += "_"
    return name


def pascal(text: str, *, fallback: str = "Model") -> str:
    words = _ascii_words(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or fallback
    if name and name[0].isdigit():
        name = f"{fallback}{name}"
    if keyword.iskeyword(name):
        name += "_"
    return name


_UNCARRIED = re.compile(r'[\\"\x00-\x1f]')
_DATA_KEYWORDS = frozenset({"example", "examples", "default", "enum", "const"})


def wire_name_ok(name: str) -> bool:
    """msgspec can rename a field to any wire name except one holding `\\`, `"` or a control
    character (such a property's model field carries a stand-in instead: `stand_ins`)."""
    return _UNCARRIED.search(name) is None


def stand_ins(schemas: Any) -> dict[str, str]:
    """Wire name -> the stand-in wire name its model field carries, for every property name of
    `schemas` msgspec cannot carry: each `\\`, `"` or control character becomes the private-use
    character U+E000 + its code (`optionType"` -> `optionType\\ue022`). A stand-in that is already
    some property's name gets U+E000 appended until it is none, so stand-ins never collide. The
    SDK renames these object keys in the JSON it decodes and encodes (runtime/_wire.py)."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(str(name) for name in value)
                    visit(list(value.values()))
                elif key not in _DATA_KEYWORDS:
                    visit(value)

    visit(schemas)
    taken, table = set(names), {}
    for name in sorted(n for n in names if not wire_name_ok(n)):
        stand_in = _UNCARRIED.sub(lambda m: chr(0xE000 + ord(m.group())), name)
        while stand_in in taken:
            stand_in += "\ue000"
        taken.add(stand_in)
        table[name] = stand_in
    return table


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate
