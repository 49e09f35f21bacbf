"""Coded integers as enum classes: `x-enum-varnames` (OpenAPI Generator's convention) names the
values of an integer schema, `x-enum-descriptions` describes them, and `x-ms-enum-flags:
{isFlags: true}` (Microsoft's convention) makes the schema a bit field.

Both extensions come in the list form (one entry per `enum` value, in order) or the map form
(value -> entry; the map form needs no `enum`, which a bit field cannot list). The rendered class
is an `IntEnum` (an `IntFlag` for a bit field) that stays open: an unknown value decodes to a
member made for it (`_missing_`), and any combination of bits is a flag value.
"""

from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass
from typing import Any

VARNAMES, DESCRIPTIONS, FLAGS = "x-enum-varnames", "x-enum-descriptions", "x-ms-enum-flags"
KEYS = (VARNAMES, DESCRIPTIONS, FLAGS)


@dataclass(frozen=True)
class EnumSpec:
    members: tuple[tuple[str, int, str], ...]  # (Python name, value, description)
    flags: bool = False
    description: str = ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _by_value(raw: Any, values: list[int]) -> dict[int, Any]:
    """The list form zipped with the enum values, or the map form with its keys read as ints."""
    if isinstance(raw, list):
        return dict(zip(values, raw, strict=False))
    if isinstance(raw, dict):
        return {k: v for k, v in ((_int(key), v) for key, v in raw.items()) if k is not None}
    return {}


def enum_spec(node: Any) -> EnumSpec | None:
    """The enum class an integer schema declares with `x-enum-varnames`, if any."""
    if not isinstance(node, dict) or VARNAMES not in node:
        return None
    if node.get("type") not in ("integer", None) or node.get("nullable"):
        return None
    raw_values = node.get("enum")
    values = [v for v in raw_values or [] if isinstance(v, int) and not isinstance(v, bool)]
    if raw_values is not None and (
        not isinstance(raw_values, list) or len(values) != len(raw_values)
    ):
        return None  # not all integers: no class (the values stay a Literal)
    names = _by_value(node[VARNAMES], values)
    if not values:
        values = list(names)
    if not values or not all(isinstance(names.get(v), str) for v in values):
        return None
    descriptions = _by_value(node.get(DESCRIPTIONS), values)
    taken: set[str] = set()
    members = []
    for value in values:
        name = member_name(str(names[value]), taken)
        text = descriptions.get(value)
        members.append((name, value, text if isinstance(text, str) else ""))
    flags = node.get(FLAGS)
    description = node.get("description")
    return EnumSpec(
        tuple(members),
        flags=isinstance(flags, dict) and flags.get("isFlags") is True,
        description=description if isinstance(description, str) else "",
    )


def enum_problems(node: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """Why a schema's `x-enum-varnames` gives no enum class: (pointer parts, message) pairs."""
    if VARNAMES not in node or enum_spec(node) is not None:
        return []
    names, values = node[VARNAMES], node.get("enum")
    where = (VARNAMES,)
    if node.get("type") not in ("integer", None) or node.get("nullable"):
        return [(where, "names only the values of a non-nullable integer schema: ignored")]
    if values is not None and not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values or [None]
    ):
        return [(where, "names only integer enum values: ignored")]
    if isinstance(names, list) and (values is None or len(names) != len(values)):
        count = "no enum" if values is None else f"{len(values)} enum values"
        return [(where, f"has {len(names)} names for {count}: ignored")]
    return [(where, "does not name every value: ignored")]


def member_name(raw: str, taken: set[str]) -> str:
    """A valid, unique member name: other characters become `_`; never `_x`, a keyword or a
    name the enum class itself defines."""
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in raw.strip()).strip("_")
    name = name or "VALUE"
    if name[0].isdigit():
        name = "V" + name
    if keyword.iskeyword(name) or name in ("name", "value", "mro"):
        name += "_"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def render(name: str, spec: EnumSpec) -> str:
    """The class source (the module's imports: `module_support`)."""
    # IntFlag keeps unknown bits itself (boundary KEEP); OpenIntEnum makes unknown members
    base = "_enum.IntFlag" if spec.flags else "_OpenIntEnum"
    lines = [f"class {name}({base}):"]
    if spec.description:
        lines.append(f"    {_docstring(spec.description)}")
        lines.append("")
    for member, value, text in spec.members:
        lines.append(f"    {member} = {value}")
        if text:
            lines.append(f"    {_docstring(text)}")
    return "\n".join(lines) + "\n"


def module_support(specs: dict[str, EnumSpec]) -> str:
    """The imports the enum classes need."""
    imports = ""
    if any(s.flags for s in specs.values()):
        imports += "import enum as _enum\n"
    if any(not s.flags for s in specs.values()):
        imports += "from ._extra import OpenIntEnum as _OpenIntEnum\n"  # generator/runtime
    return imports


def _docstring(text: str, indent: str = "    ") -> str:
    """A docstring of the text, wrapped to fit the package's 100 columns."""
    body = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    if len(indent) + len(body) + 6 <= 100:
        return f'"""{body}"""'
    lines = textwrap.wrap(body, 96 - len(indent), break_on_hyphens=False)
    return '"""\n' + "".join(f"{indent}{line}\n" for line in lines) + f'{indent}"""'
