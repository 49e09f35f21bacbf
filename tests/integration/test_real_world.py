"""Real-world documents that come with the Node tools (`make deps`), generated with --lenient:
they generate, lint, type-check, import and round-trip their examples (tests/support/corpus.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT
from support.corpus import REAL_WORLD, Generated, generate_all, mypy_all, round_trip, ruff_problems

# --------------------------------------------------------------------------------------------
# real-world documents (lenient)


@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Generated]:
    if not REAL_WORLD[0].exists():
        pytest.fail(f"{REAL_WORLD[0].relative_to(ROOT)} is missing: run `make test-tools`", pytrace=False)
    return generate_all(REAL_WORLD, "real", tmp_path_factory.mktemp("real"), lenient=True)


def test_real_world_documents_generate_lint_and_type_check(
    real_world: dict[Path, Generated], tmp_path_factory: pytest.TempPathFactory
) -> None:
    failed = {str(spec.relative_to(ROOT)): g.error for spec, g in real_world.items() if g.error}
    assert failed == {}
    assert len(real_world) >= 10
    lint = {g.package: ruff_problems(g.out) for g in real_world.values()}
    assert {k: v for k, v in lint.items() if v} == {}
    typed = mypy_all(list(real_world.values()), tmp_path_factory.mktemp("real-mypy"))
    assert {k: v for k, v in typed.items() if v} == {}


def test_real_world_documents_import_and_round_trip(
    real_world: dict[Path, Generated], tmp_path: Path
) -> None:
    failures = []
    for generated in real_world.values():
        failures += round_trip(generated, tmp_path)["failures"]
    assert failures == []
