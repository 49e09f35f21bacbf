"""Stage 1: read YAML/JSON documents, remember the line of every node, resolve `$ref`s.

YAML is read with the YAML 1.2 core schema, as OpenAPI and AsyncAPI require: only `null`, booleans
(`true`/`false`), integers (decimal, `0o` octal, `0x` hex) and floats are resolved; everything else
is a string. So `2019-08-24T14:15:22Z`, `yes`, `on`, `0777`-style octal (decimal in 1.2) and
`1:30` are not timestamps, booleans or sexagesimal numbers as YAML 1.1 would read them.

A `Document` keeps the parsed data untouched (validators see `$ref`s as written; `--lenient` then
reads a YAML null in a `type` list as "null") and a map from
JSON pointer to source line, so every later problem can name the file, the pointer and the line.
`Resolver` follows local and cross-file `$ref`s on demand, loading other files once.
"""

from __future__ import annotations

import functools
import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
import yaml.cyaml

from generator.problems import Problem, SpecError, join_pointer, split_pointer


@dataclass
class Document:
    path: Path
    data: Any
    lines: dict[str, int] = field(repr=False)
    sha256: str = ""
    # nodes an overlay added (generator/overlay.py): pointer -> (overlay file, line)
    overlaid: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.path)

    @functools.cached_property
    def key(self) -> str:
        """The file's resolved path: what identifies the document across `$ref`s."""
        return str(self.path.resolve())

    def line_of(self, pointer: str) -> int | None:
        """Line of the node at `pointer`, or of its nearest ancestor that has one."""
        return self.origin(pointer)[1]

    def origin(self, pointer: str) -> tuple[str, int | None]:
        """File and line of the node at `pointer` (or of its nearest ancestor that has a line):
        this document's, or an overlay's for a node the overlay added."""
        tokens = split_pointer(pointer)
        while True:
            here = join_pointer("", *tokens)
            if here in self.overlaid:
                return self.overlaid[here]
            line = self.lines.get(here)
            if line is not None or not tokens:
                return self.name, line
            tokens.pop()

    @property
    def kind(self) -> str:
        if not isinstance(self.data, dict):
            return "unknown"
        if "openapi" in self.data:
            return "openapi"
        if "asyncapi" in self.data:
            return "asyncapi"
        if "swagger" in self.data:
            return "swagger"
        return "unknown"

    def problem(self, pointer: str, message: str, source: str = "generator", **kw: Any) -> Problem:
        file, line = self.origin(pointer)
        return Problem(file, line, pointer, message, source, **kw)


class _Core12Resolver(yaml.resolver.BaseResolver):
    """The YAML 1.2 core schema's implicit tags (https://yaml.org/spec/1.2.2/#1023-core-schema),
    plus the `<<` merge key that specs still use."""

    yaml_implicit_resolvers = {}  # noqa: RUF012 - PyYAML's class-level table, filled below


_FLOAT = (
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_CORE_12: list[tuple[str, str, list[str]]] = [
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("float", _FLOAT, list("-+.0123456789")),
    ("merge", r"^(?:<<)$", ["<"]),
]
for _tag, _pattern, _first in _CORE_12:
    _Core12Resolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)


def _core12_int(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node))
    return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)


def _text(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


class _Core12Constructor(yaml.constructor.SafeConstructor):
    """Numbers as YAML 1.2 reads them; explicit `!!timestamp`/`!!binary` values stay text (JSON)."""

    yaml_constructors: ClassVar[dict[Any, Any]] = {
        **yaml.constructor.SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:int": _core12_int,
        "tag:yaml.org,2002:timestamp": _text,
        "tag:yaml.org,2002:binary": _text,
    }


def _loader_class() -> type[Any]:
    # libyaml's parser when PyYAML has it (`yaml.CParser` is not exported: it is in yaml.cyaml)
    parser = getattr(yaml.cyaml, "CParser", None) if yaml.__with_libyaml__ else None
    if parser is not None:
        bases: tuple[type[Any], ...] = (parser, _Core12Constructor, _Core12Resolver)
    else:
        from yaml.composer import Composer
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        bases = (Reader, Scanner, Parser, Composer, _Core12Constructor, _Core12Resolver)

    def init(self: Any, stream: str) -> None:
        bases[0].__init__(self, stream)
        if parser is None:
            for base in bases[1:4]:
                base.__init__(self)
        _Core12Constructor.__init__(self)
        _Core12Resolver.__init__(self)

    return type("Core12Loader", bases, {"__init__": init})


_LOADER = _loader_class()


class _Builder:
    """Turns a composed YAML node tree into plain Python data plus a pointer -> line map."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.loader = _LOADER(text)
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def build(self) -> Any:
        try:
            node = self.loader.get_single_node()
        finally:
            self.loader.dispose()
        if node is None:
            return None
        return self._convert(node, "")

    def _convert(self, node: yaml.Node, pointer: str) -> Any:
        self.lines[pointer] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                child = join_pointer(pointer, key)
                if key in out:
                    self.problems.append(
                        Problem(
                            str(self.path),
                            key_node.start_mark.line + 1,
                            child,
                            f"duplicate key {key!r}",
                            "yaml",
                        )
                    )
                out[key] = self._convert(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [
                self._convert(item, join_pointer(pointer, i)) for i, item in enumerate(node.value)
            ]
        return self.loader.construct_object(node, deep=True)


def load_document(path: str | Path) -> Document:
    """Parse one file. Raises SpecError (located) if it is unreadable or not valid YAML/JSON."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(
            [Problem(str(path), None, "", f"cannot read file: {exc.strerror}", "load")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [Problem(str(path), None, "", f"not UTF-8 text: {exc.reason}", "load")]
        ) from None
    builder = _Builder(path, text)
    try:
        data = builder.build()
    except RecursionError:
        raise SpecError(
            [
                Problem(
                    str(path),
                    None,
                    "",
                    "nests too deeply (or a YAML alias contains itself)",
                    "load",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise SpecError([Problem(str(path), line, "", f"invalid YAML: {reason}", "load")]) from None
    if builder.problems:
        raise SpecError(builder.problems)
    return Document(path, data, builder.lines, hashlib.sha256(raw).hexdigest())


@dataclass(frozen=True)
class Located:
    """A node reached through `$ref`s, with the document and pointer it really lives at."""

    value: Any
    doc: Document
    pointer: str


_LITERALS = frozenset({"example", "examples", "enum", "default", "const"})
_NAMED = frozenset({"properties", "patternProperties"})  # keys of these are names, not keywords


def null_in_type_lists(node: Any, names: bool = False) -> None:
    """`--lenient`, after validation: `type: [string, null]` (YAML null, not `"null"`) is the
    union it says, so a None in a `type` list becomes "null" (in place; literals untouched)."""
    if isinstance(node, dict):
        kinds = node.get("type")
        if not names and isinstance(kinds, list) and None in kinds:
            node["type"] = ["null" if k is None else k for k in kinds]
        for key, value in node.items():
            if names or key not in _LITERALS:
                null_in_type_lists(value, not names and key in _NAMED)
    elif isinstance(node, list):
        for value in node:
            null_in_type_lists(value)


class Resolver:
    """Follows `$ref`s (local `#/...`, `other.yaml#/...`, `other.yaml`) across files."""

    def __init__(self, root: Document) -> None:
        self.root = root
        self.lenient = False
        self.docs: dict[Path, Document] = {root.path.resolve(): root}

    def read_leniently(self) -> None:
        """`--lenient`, after validation: every document read (and to read) as
        `null_in_type_lists` says."""
        self.lenient = True
        for doc in self.docs.values():
            null_in_type_lists(doc.data)

    def document(self, base: Document, ref_path: str) -> Document:
        path = urllib.parse.unquote(ref_path)
        if path.startswith("file://"):
            path = urllib.parse.urlsplit(path).path
        target = (base.path.parent / path).resolve()
        if target not in self.docs:
            self.docs[target] = load_document(target)
            if self.lenient:
                null_in_type_lists(self.docs[target].data)
        return self.docs[target]

    def lookup(self, doc: Document, pointer: str) -> Any:
        node = doc.data
        for token in split_pointer(pointer):
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise KeyError(token)
        return node

    def follow(self, value: Any, doc: Document, pointer: str) -> Located:
        """Resolve `value` (found at doc#pointer) until it is no longer a `$ref`."""
        seen: set[tuple[str, str]] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            where = join_pointer(pointer, "$ref")
            file_part, _, frag = ref.partition("#")
            frag = urllib.parse.unquote(
                frag
            )  # a fragment is URI-encoded: "#/components/schemas/My%20Pet"
            if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", file_part) and not file_part.startswith(
                "file://"
            ):
                raise SpecError(
                    [
                        doc.problem(
                            where,
                            f"$ref {ref!r} is remote, which is not supported: download "
                            "it and refer to the file by a relative path",
                            "load",
                        )
                    ]
                )
            if frag and not frag.startswith("/"):
                raise SpecError(
                    [
                        doc.problem(
                            where,
                            f"$ref {ref!r}: only JSON-pointer fragments (#/...) are "
                            "supported, not anchors",
                            "load",
                        )
                    ]
                )
            target_doc = (
                self.document(doc, file_part) if file_part else doc
            )  # a broken file: its own problems
            key = (target_doc.key, frag)
            if key in seen:
                raise SpecError([doc.problem(where, f"circular $ref {ref!r}", "load")])
            seen.add(key)
            try:
                value = self.lookup(target_doc, frag)
            except KeyError:
                raise SpecError(
                    [doc.problem(where, f"$ref {ref!r} points at nothing", "load")]
                ) from None
            doc, pointer = target_doc, frag
        return Located(value, doc, pointer)

    def deref(self, value: Any, doc: Document | None = None, pointer: str = "") -> Any:
        return self.follow(value, doc or self.root, pointer).value
