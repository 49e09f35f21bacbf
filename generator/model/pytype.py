"""Python types as objects: what templates and builders read instead of slicing type strings.

A `PyType` knows its annotation (what a signature says), the expression that decodes a value
at run time, and the structural facts later stages ask about (a Literal and its values, an
optional argument, the element type of a list, the model class it names, its imports).
Build them with the constructors below; never parse `annotation`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# kind: what the type is, structurally.
#   any | none | bytes | scalar (str, int, float, bool, Decimal) | literal | model
#   | list | sequence | tuple | dict | mapping | union
_IMPORTS = {
    "Any": ("typing", "Any"),
    "Decimal": ("decimal", "Decimal"),
    "Literal": ("typing", "Literal"),
    "Sequence": ("collections.abc", "Sequence"),
    "Mapping": ("collections.abc", "Mapping"),
}


@dataclass(frozen=True)
class PyType:
    annotation: str  # e.g. "models.Order | None", "Literal['buy', 'sell']", "list[models.Deal]"
    decode: str  # run-time expression without the optional None, e.g. "models.Order"
    kind: str = "any"
    nullable: bool = False  # None is a legitimate value (or: an argument that may be left out)
    args: tuple[PyType, ...] = ()  # generic arguments, or the members of a union
    literal: tuple[Any, ...] = ()  # kind == "literal": the allowed values
    model: str | None = None  # kind == "model": the class name
    module: str = ""  # kind == "model": the module holding the class

    def __str__(self) -> str:
        return self.annotation

    # -- compatibility with the former SchemaRef (py_type / decode_type strings) ----------
    @property
    def py_type(self) -> str:
        return self.annotation

    @property
    def decode_type(self) -> str:
        return self.decode

    # -- structural facts -----------------------------------------------------------------
    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_optional(self) -> bool:
        return self.nullable

    @property
    def is_sequence(self) -> bool:
        return self.kind == "sequence"

    @property
    def is_model(self) -> bool:
        return self.kind == "model"

    @property
    def is_none(self) -> bool:
        return self.kind == "none"

    @property
    def is_bytes(self) -> bool:
        """The value is bytes, or may be (`bytes | str` arguments)."""
        return self.kind == "bytes" or (
            self.kind == "union" and bool(self.args) and self.args[0].kind == "bytes"
        )

    @property
    def base(self) -> PyType:
        """The type without its optional None."""
        if not self.nullable or self.kind == "none":
            return self
        return replace(self, annotation=self.decode, nullable=False)

    @property
    def item(self) -> PyType | None:
        """The element type of a list or sequence."""
        return self.args[0] if self.kind in ("list", "sequence") and self.args else None

    @property
    def imports(self) -> frozenset[tuple[str, str]]:
        """(module, name) pairs the annotation needs; a model needs its module (".", module)."""
        out: set[tuple[str, str]] = set()
        if self.kind == "model":
            out.add((".", self.module))
        elif self.kind == "literal":
            out.add(_IMPORTS["Literal"])
        else:
            head = self.decode.split("[", 1)[0]
            if head in _IMPORTS:
                out.add(_IMPORTS[head])
        for arg in self.args:
            out |= arg.imports
        return frozenset(out)

    def or_none(self) -> PyType:
        """The type with `| None` added (the value may be null, or the argument left out)."""
        if self.nullable:
            return self
        return replace(self, annotation=f"{self.annotation} | None", nullable=True)


ANY = PyType("Any", "Any", "any")
NONE = PyType("None", "None", "none", nullable=True)
BYTES = PyType("bytes", "bytes", "bytes")


def scalar(name: str) -> PyType:
    """A plain type by name: Any, None, bytes, str, int, float, bool, Decimal."""
    if name == "Any":
        return ANY
    if name == "None":
        return NONE
    if name == "bytes":
        return BYTES
    return PyType(name, name, "scalar")


def model(module: str, name: str) -> PyType:
    text = f"{module}.{name}"
    return PyType(text, text, "model", model=name, module=module)


def literal(values: list[Any] | tuple[Any, ...]) -> PyType:
    text = "Literal[" + ", ".join(repr(v) for v in values) + "]"
    return PyType(text, text, "literal", literal=tuple(values))


_HEADS = {
    "list": "list",
    "sequence": "Sequence",
    "tuple": "tuple",
    "dict": "dict",
    "mapping": "Mapping",
}


def generic(kind: str, *args: PyType) -> PyType:
    """list[T], Sequence[T], tuple[A, B], dict[str, V] (give V only), Mapping[str, V]."""
    head = _HEADS[kind]
    keyed = kind in ("dict", "mapping")
    inner = ", ".join((["str"] if keyed else []) + [a.annotation for a in args])
    text = f"{head}[{inner}]"
    return PyType(text, text, kind, args=args)


def union(members: list[PyType] | tuple[PyType, ...]) -> PyType:
    """`A | B`; members with the same annotation count once; one member is that member."""
    unique: dict[str, PyType] = {}
    for m in members:
        unique.setdefault(m.annotation, m)
    kept = tuple(unique.values())
    if not kept:
        return NONE
    if len(kept) == 1:
        return kept[0]
    text = " | ".join(unique)
    return PyType(text, text, "union", nullable=any(m.kind == "none" for m in kept), args=kept)


def members(t: PyType) -> tuple[PyType, ...]:
    """The branches of a union (the type itself otherwise), without its optional None."""
    return t.args if t.kind == "union" else (t.base,)
