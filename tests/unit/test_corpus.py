"""Every OpenAPI document of the shared corpus (v3.0 and v3.1) generates a package that imports,
passes `ruff check` and `ruff format --check`, and round-trips the spec's own examples through its
models (the checks are in tests/support/corpus.py). Their `mypy --strict`:
integration/test_real_world.py (every document of the shared corpus).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.corpus import (
    CORPUS,
    CORPUS_SPECS,
    Generated,
    example_cases,
    generate_all,
    package_name,
    round_trip,
    ruff_problems,
)
from support.shared import once

# --------------------------------------------------------------------------------------------
# the corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Generated]]:
    assert CORPUS_SPECS, f"no OpenAPI documents in {CORPUS}"
    yield once(tmp_path_factory, "corpus", lambda root: generate_all(CORPUS_SPECS, "corpus", root))


def _ids(specs: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in specs]


@pytest.mark.parametrize("spec", CORPUS_SPECS, ids=_ids(CORPUS_SPECS))
def test_corpus_document_generates(corpus: dict[Path, Generated], spec: Path) -> None:
    generated = corpus[spec]
    assert generated.error is None, generated.error
    assert (generated.out / generated.package / "client.py").is_file()


@pytest.mark.parametrize("spec", CORPUS_SPECS, ids=_ids(CORPUS_SPECS))
def test_corpus_package_lints(corpus: dict[Path, Generated], spec: Path) -> None:
    generated = corpus[spec]
    assert generated.error is None, generated.error
    assert ruff_problems(generated.out) == ""


@pytest.mark.parametrize("spec", CORPUS_SPECS, ids=_ids(CORPUS_SPECS))
def test_corpus_package_imports_and_round_trips_its_examples(
    corpus: dict[Path, Generated], spec: Path, tmp_path: Path
) -> None:
    generated = corpus[spec]
    assert generated.error is None, generated.error
    report = round_trip(generated, tmp_path)
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["checked"] == report["cases"]


def test_corpus_examples_are_found() -> None:
    """The round trip is not vacuous: the corpus has examples, and they are checked."""
    total = sum(len(example_cases(spec, package_name(spec, "corpus"))[0]) for spec in CORPUS_SPECS)
    assert total >= 5
