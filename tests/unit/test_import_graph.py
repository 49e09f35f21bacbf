"""No import cycles inside the generator package.

Every module under generator/ is parsed with `ast` (nothing is imported) and every import of a
generator module becomes an edge: top-level imports, imports inside functions, and imports under
`if TYPE_CHECKING:` too. Type-only imports count on purpose: a module that needs another's types
depends on it as much as one that calls it, and hiding a cycle behind TYPE_CHECKING keeps the
layers tangled. `from generator.x import y` is an edge to `generator.x.y` when that is a module,
else to `generator.x`; the parent packages a submodule import runs implicitly are not edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "generator"


def module_names(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package."""
    out: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is a module of the package."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in modules:
            return candidate
    return None


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules that module `name` (file `path`) imports, anywhere in its source."""
    source = path.read_text(encoding="utf-8")
    return imports_in(name, path.name == "__init__.py", source, modules)


def imports_in(name: str, is_package: bool, source: str, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(source)
    package = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target is not None:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                target = _known(f"{base}.{alias.name}", modules) or _known(base, modules)
                if target is not None:
                    found.add(target)
    found.discard(name)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (`[a, b, ..., a]`), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_the_package() -> None:
    graph = import_graph()
    assert "generator.cli" in graph and "generator.render" in graph
    assert "generator.load" in graph["generator.model.types"]  # a top-level import
    assert any(graph.values()), "no import edges found"


def test_function_level_and_type_checking_imports_are_edges() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from generator.b import B\n"
        "def f():\n    from . import c\n"
        "import generator.d.e\n"
        "from .d import f as g\n"
        "import json\n"
    )
    names = (
        "generator",
        "generator.a",
        "generator.b",
        "generator.c",
        "generator.d",
        "generator.d.f",
    )
    modules = {name: Path() for name in names}
    found = imports_in("generator.a", False, source, modules)
    assert found == {"generator.b", "generator.c", "generator.d", "generator.d.f"}


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
