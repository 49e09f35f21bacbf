"""Python-safe names from arbitrary spec strings."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

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


def wire_name_ok(name: str) -> bool:
    """msgspec can rename a field to any wire name except one holding `\\`, `"` or a control
    character (such a property is left out of its model, with a warning from validation)."""
    return re.search(r'[\\"\x00-\x1f]', name) is None


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate
