"""Fixtures shared by every layer, and the layer markers.

Tests live in tests/unit (stages and runtime: no network, no Node), tests/sdk (the generated SDK
over loopback sockets) and tests/integration (Node tools, Chromium, clean installs); each test is
marked `unit`, `sdk` or `integration` by its folder. Plain helpers live in tests/support/.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

# Compiled (and assertion-rewritten) modules are cached in __pycache__ as Python and pytest do by
# default, also under PYTHONDONTWRITEBYTECODE: without the cache every xdist worker compiles and
# rewrites every module again on every run (~5 s of CPU per worker).
sys.dont_write_bytecode = False

pytest.register_assert_rewrite("support")  # its helpers assert for the tests that call them

from support import REST_RECORDINGS, REST_SECRET_KEY, REST_SPEC, ws_mock_for
from support.shared import once

if TYPE_CHECKING:
    from support.asyncapi import Generated as AsyncApiGenerated
    from support.corpus import Generated

    from generator.mock import Recording, RestMock, RestSpec, WsMock

# Hypothesis profiles: "full" (`make test`, CI: `--hypothesis-profile=full`) and "quick", the
# default, for the offline layers (`pytest -m "not integration"`, `make test-fast`). Derandomized:
# the same examples on every run.
settings.register_profile("full", max_examples=60, derandomize=True, database=None)
settings.register_profile("quick", max_examples=20, derandomize=True, database=None)
settings.load_profile("quick")

TESTS = Path(__file__).resolve().parent
LAYERS = ("unit", "sdk", "integration")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`-m "not integration"` does not even import the integration modules."""
    markexpr = " ".join(str(config.getoption("markexpr") or "").split())
    if markexpr == "not integration" and collection_path.is_relative_to(TESTS / "integration"):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with the layer of its folder; a test outside the layers is an error."""
    for item in items:
        layer = Path(item.path).resolve().relative_to(TESTS).parts[0]
        if layer not in LAYERS:
            raise pytest.UsageError(f"{item.nodeid}: tests belong in tests/{{{','.join(LAYERS)}}}/")
        item.add_marker(getattr(pytest.mark, layer))


# The integration layer and the modules with few but long tests, started first (the others go by
# their number of tests, most first) so that no worker is left with one of them at the end.
LONG_MODULES = (
    "integration",
    "tests/unit/test_asyncapi_generic.py",  # generates the AsyncAPI documents (`generated`)
    "tests/unit/test_fuzz.py",
    "tests/unit/test_edge_cases.py",  # `fixtures_mypy`, the 200 KB spec
    "tests/unit/test_asyncapi3_edition.py",
    "tests/unit/test_ws_model.py",
    "tests/unit/test_corpus.py",
    "tests/unit/test_real_world_bugs.py",
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist (`-n auto`): each unit or sdk module goes to whichever worker is free (its
    module fixtures are built once), LONG_MODULES first; the integration layer is one unit of
    work, run in order on one worker as without xdist. (An explicit `--dist` other than `load`
    is left to xdist.)"""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") != "load":
        return None

    class Scheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "integration" if module.startswith("tests/integration/") else module

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:
                for scope in reversed(LONG_MODULES):
                    if scope in self.workqueue:
                        self.workqueue.move_to_end(scope, last=False)
                self.ordered = True
            super()._assign_work_unit(node)

    return Scheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _warm_model_generator() -> None:
    """`generate` renders models in a forked worker, and datamodel-code-generator imports most of
    itself on its first run: run it once here, so every fork inherits it warm (a generation in
    the test process then takes ~0.7 s instead of ~2.5 s)."""
    from generator.model import codegen

    codegen._warm_up()


# --------------------------------------------------------------------------------------------
# REST mock (generator/mock/rest.py): the spec, the recordings and a running mock with signature checks


@pytest.fixture(scope="session")
def rest_spec() -> RestSpec:
    """The REST spec as the mock reads it (loaded once)."""
    from generator.mock import RestSpec

    return RestSpec(REST_SPEC)


@pytest.fixture(scope="session")
def rest_recordings() -> list[Recording]:
    """Every REST recording, by file name."""
    from generator.mock import load_recordings

    recordings = load_recordings(REST_RECORDINGS)
    assert recordings, f"no recordings in {REST_RECORDINGS}"
    return recordings


@pytest.fixture
def rest_mock(rest_spec: RestSpec, rest_recordings: list[Recording]) -> Iterator[RestMock]:
    """A running REST mock on a loopback port, checking signatures with the test secret."""
    from generator.mock import RestMock

    with RestMock(rest_spec, rest_recordings, secret_key=REST_SECRET_KEY) as mock:
        yield mock


# --------------------------------------------------------------------------------------------
# plain AsyncAPI documents (tests/support/asyncapi.py), generated once for unit/ and sdk/


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AsyncApiGenerated]:
    """Every document generated once per run (in threads: most of the time is ruff, a subprocess)."""
    import os
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from support.asyncapi import DOCUMENTS, Generated

    from generator.load import Resolver, load_document
    from generator.model.asyncapi import build_ws_api
    from generator.pipeline import generate

    def one(root: Path, item: tuple[str, Path]) -> Generated:
        package, spec = item
        out = root / package
        warnings = generate(openapi=None, asyncapi=str(spec), out=out, package=package)
        doc = load_document(spec)
        api = build_ws_api(doc, Resolver(doc), package)
        return Generated(package, spec, out, api, [str(w) for w in warnings + api.warnings])

    def all_of_them(root: Path) -> list[Generated]:
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            return list(pool.map(lambda item: one(root, item), DOCUMENTS.items()))

    done = once(tmp_path_factory, "asyncapi-generic", all_of_them)
    for g in done:
        sys.path.insert(0, str(g.out))
    return {g.package: g for g in done}


# --------------------------------------------------------------------------------------------
# the OpenAPI edge specs (tests/support/edge.py), generated once for unit/ and sdk/


@pytest.fixture(scope="session")
def edge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    from support.corpus import generate_package, package_name
    from support.edge import EDGE, EDGE_SPECS, IDS

    def all_of_them(root: Path) -> dict[str, Generated]:
        out = {}
        for spec, id_ in zip(EDGE_SPECS, IDS, strict=True):
            package = package_name(spec, "edge") if spec.parent == EDGE else "edge_multifile"
            out[id_] = generate_package(spec, root / package, package)
        return out

    return once(tmp_path_factory, "edge", all_of_them)


# --------------------------------------------------------------------------------------------
# the edge specs' and AsyncAPI fixtures' packages, type-checked once for unit/


@pytest.fixture(scope="session")
def fixtures_mypy(
    edge: dict[str, Generated],
    generated: dict[str, AsyncApiGenerated],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, list[str]]:
    """`mypy --strict` over the packages of the edge specs, of the AsyncAPI fixtures and of
    tests/fixtures/realworld/odd-names.yaml (`odd_names`), in one run: the error lines by package.
    (Every corpus document's package: integration/test_real_world.py.)"""
    from support.asyncapi import FIXTURE_PACKAGES
    from support.corpus import generate_package, mypy_all

    packages = [g for g in edge.values() if g.error is None]
    packages += [generated[p] for p in FIXTURE_PACKAGES]

    def produce(root: Path) -> dict[str, list[str]]:
        odd = generate_package(
            TESTS / "fixtures" / "realworld" / "odd-names.yaml", root / "odd", "odd_names"
        )
        assert odd.error is None, odd.error
        return mypy_all([*packages, odd], root / "cache")

    return once(tmp_path_factory, "fixtures-mypy", produce)


# --------------------------------------------------------------------------------------------
# WebSocket mock (generator/mock/ws.py): the recorded sessions, served with their fault switches


@pytest.fixture
async def ws_mock() -> AsyncIterator[WsMock]:
    """A running WebSocket mock on the test's event loop (flip its fault switches at will)."""
    async with ws_mock_for() as mock:
        yield mock
