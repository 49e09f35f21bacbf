"""The test suite's own layout: every test module sits in a layer folder and imports no other
test module (shared code lives in tests/conftest.py fixtures and the tests/support/ package)."""

from __future__ import annotations

import ast
from pathlib import Path

from support import ROOT

TESTS = ROOT / "tests"
LAYERS = {"unit", "sdk", "integration"}


def _modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "fixtures" not in p.relative_to(TESTS).parts)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_test_modules_are_in_a_layer() -> None:
    tests = [p.relative_to(TESTS) for p in _modules() if p.name.startswith("test_")]
    assert len(tests) >= 20
    assert [str(p) for p in tests if p.parts[0] not in LAYERS] == []


def test_no_module_imports_a_test_module_or_conftest() -> None:
    test_names = {p.stem for p in _modules() if p.name.startswith("test_")}
    bad = {}
    for path in _modules():
        wrong = {
            name
            for name in _imported(path)
            if name.split(".")[0] in test_names | {"conftest", "tests"}
        }
        if wrong:
            bad[str(path.relative_to(TESTS))] = sorted(wrong)
    assert bad == {}, "import helpers from tests/support/ instead"


def test_support_modules_are_not_collected() -> None:
    support = [p.name for p in (TESTS / "support").glob("*.py")]
    assert "__init__.py" in support
    assert [name for name in support if name.startswith("test_")] == []
