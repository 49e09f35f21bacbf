"""OpenAPI Overlay 1.0 (https://spec.openapis.org/overlay/v1.0.0.html): `--overlay FILE` changes a
document before it is validated, without editing it.

An Overlay document has `overlay: 1.0.x`, `info` (title, version) and `actions`, applied in order.
Each action's `target` is a JSONPath expression (python-jsonpath) selecting nodes of the document:

* `remove: true` removes every selected node from the object or array holding it;
* else `update` is merged into every selected object (recursively: objects merge, any other value
  replaces the one of the same name) or appended to every selected array.

A target that selects nothing is a warning; an overlay that is not one, an invalid JSONPath, an
`update` that does not fit its target (not an object for an object, a primitive target) are
errors, each located in the overlay file. Nodes an overlay adds are located in the overlay file
too (`Document.overlaid`), so a problem in an added `x-signature` points at the overlay's line.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.load import Document, load_document
from generator.problems import Problem, Severity, SpecError, join_pointer, split_pointer

SOURCE = "load"


def apply_overlays(doc: Document, paths: Iterable[str | Path]) -> tuple[Document, list[Problem]]:
    """`doc` with every overlay applied in order, and their warnings; SpecError on errors."""
    problems: list[Problem] = []
    data = copy.deepcopy(doc.data)
    lines = dict(doc.lines)
    overlaid = dict(doc.overlaid)
    digest = hashlib.sha256(doc.sha256.encode())
    for path in paths:
        overlay = load_document(path)
        digest.update(overlay.sha256.encode())
        data = _apply(overlay, data, lines, overlaid, problems)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise SpecError(problems)
    result = Document(doc.path, data, lines, digest.hexdigest(), overlaid=overlaid)
    return result, problems


def _apply(
    overlay: Document,
    data: Any,
    lines: dict[str, int],
    overlaid: dict[str, tuple[str, int]],
    problems: list[Problem],
) -> Any:
    import jsonpath

    root = overlay.data
    if not isinstance(root, dict) or not re.fullmatch(r"1\.0\.\d+", str(root.get("overlay", ""))):
        found = root.get("overlay") if isinstance(root, dict) else None
        problems.append(
            overlay.problem(
                "/overlay" if isinstance(root, dict) and "overlay" in root else "",
                f"not an Overlay 1.0 document: expected `overlay: 1.0.x`, found {found!r}",
                SOURCE,
            )
        )
        return data
    info = root.get("info")
    if not isinstance(info, dict) or not all(
        isinstance(info.get(k), str) for k in ("title", "version")
    ):
        problems.append(
            overlay.problem("/info", "`info` needs a `title` and a `version` (strings)", SOURCE)
        )
    actions = root.get("actions")
    if not isinstance(actions, list) or not actions:
        problems.append(overlay.problem("/actions", "`actions` must be a non-empty list", SOURCE))
        return data
    for index, action in enumerate(actions):
        here = join_pointer("/actions", index)
        if not isinstance(action, dict) or not isinstance(action.get("target"), str):
            problems.append(
                overlay.problem(here, "an action needs a `target` (a JSONPath string)", SOURCE)
            )
            continue
        target = action["target"]
        try:
            matches = [(tuple(m.parts), m.obj) for m in jsonpath.finditer(target, data)]
        except jsonpath.JSONPathError as exc:
            problems.append(
                overlay.problem(
                    join_pointer(here, "target"), f"invalid JSONPath {target!r}: {exc}", SOURCE
                )
            )
            continue
        if not matches:
            problems.append(
                overlay.problem(
                    join_pointer(here, "target"),
                    f"target {target!r} selects nothing in {overlay.name}'s document",
                    SOURCE,
                    severity=Severity.WARNING,
                )
            )
            continue
        if action.get("remove") is True:
            # deepest and last first, so the positions of the others still hold
            for parts, _ in sorted(matches, key=lambda m: (len(m[0]), m[0]), reverse=True):
                data = _remove(data, list(parts), lines, overlaid)
            continue
        if "update" not in action:
            continue
        update = action["update"]
        where = join_pointer(here, "update")
        for parts, node in matches:
            pointer = join_pointer("", *parts)
            if isinstance(node, dict):
                if not isinstance(update, dict):
                    problems.append(
                        overlay.problem(
                            where,
                            f"target {target!r} selects an object: `update` must be an object",
                            SOURCE,
                        )
                    )
                    break
                _merge(node, update, pointer, overlay, where, overlaid)
            elif isinstance(node, list):
                node.append(copy.deepcopy(update))
                _adopt(overlay, where, join_pointer(pointer, len(node) - 1), overlaid)
            else:
                problems.append(
                    overlay.problem(
                        where,
                        f"target {target!r} selects {type(node).__name__} value at {pointer or '/'}: "
                        "`update` applies to objects and arrays (select the containing object)",
                        SOURCE,
                    )
                )
                break
    return data


def _merge(
    node: dict[str, Any],
    update: dict[str, Any],
    pointer: str,
    overlay: Document,
    where: str,
    overlaid: dict[str, tuple[str, int]],
) -> None:
    for key, value in update.items():
        child, source = join_pointer(pointer, key), join_pointer(where, key)
        if isinstance(value, dict) and isinstance(node.get(key), dict):
            _merge(node[key], value, child, overlay, source, overlaid)
        else:
            node[key] = copy.deepcopy(value)
            _adopt(overlay, source, child, overlaid)


def _adopt(
    overlay: Document, source: str, pointer: str, overlaid: dict[str, tuple[str, int]]
) -> None:
    """Locate the node now at `pointer`, and everything under it, at its place in the overlay."""
    for key in [k for k in overlaid if k == pointer or k.startswith(pointer + "/")]:
        del overlaid[key]
    for sub, line in overlay.lines.items():
        if sub == source or sub.startswith(source + "/"):
            overlaid[pointer + sub[len(source) :]] = (overlay.name, line)


def _remove(
    data: Any, parts: list[Any], lines: dict[str, int], overlaid: dict[str, tuple[str, int]]
) -> Any:
    if not parts:
        return None  # `$` itself: nothing is left
    parent: Any = data
    for part in parts[:-1]:
        parent = parent[part]
    last = parts[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        del parent[last]
        base = join_pointer("", *parts[:-1])
        for table in (lines, overlaid):
            _shift(table, base, last)
    return data


def _shift(table: dict[str, Any], array: str, removed: int) -> None:
    """Renumber the pointers under `array` after its item `removed` is gone."""
    depth = len(split_pointer(array))
    moved: dict[str, Any] = {}
    for key in list(table):
        tokens = split_pointer(key)
        if key.startswith(array + "/") and len(tokens) > depth and tokens[depth].isdigit():
            index = int(tokens[depth])
            if index == removed:
                del table[key]
            elif index > removed:
                tokens[depth] = str(index - 1)
                moved[join_pointer("", *tokens)] = table.pop(key)
    table.update(moved)
