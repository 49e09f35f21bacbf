"""The plain AsyncAPI documents (the shared corpus and tests/fixtures/asyncapi/) and what the
`generated` fixture (tests/conftest.py) makes of them.

Used by unit/test_asyncapi_generic.py and sdk/test_asyncapi_loopback.py.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from generator.model.ir import WsApi

from . import ROOT

CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "asyncapi-2.6"
FIXTURES = ROOT / "tests" / "fixtures" / "asyncapi"
V2 = FIXTURES / "v2-publish-subscribe.yaml"
V3 = FIXTURES / "v3-send-receive.yaml"
AVRO = FIXTURES / "v3-unsupported-format.yaml"
REQUEST_REPLY = FIXTURES / "v3-request-reply.yaml"


def corpus_documents() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.fail(f"the AsyncAPI corpus is missing: {CORPUS} (set SPEC_CORPUS)", pytrace=False)
    singles = sorted(CORPUS.glob("*.yml")) + sorted(CORPUS.glob("*.yaml"))
    services = sorted(CORPUS.glob("*/*/asyncapi.yaml")) + sorted(CORPUS.glob("*/*/asyncapi.yml"))
    return singles + services


def slug(path: Path) -> str:
    rel = path.relative_to(CORPUS) if path.is_relative_to(CORPUS) else Path(path.name)
    parts = rel.with_suffix("").parts
    name = "_".join(p for p in parts if p != "asyncapi") or rel.stem
    return "p_" + "".join(c if c.isalnum() else "_" for c in name.lower())


# the fixtures' packages, type-checked offline (`fixtures_mypy`; the corpus' packages in
# integration/test_real_world.py)
FIXTURE_PACKAGES = [slug(p) for p in sorted(FIXTURES.glob("*.yaml"))]
DOCUMENTS = {slug(p): p for p in [*corpus_documents(), *sorted(FIXTURES.glob("*.yaml"))]}


@dataclass
class Generated:
    package: str
    spec: Path
    out: Path
    api: WsApi
    warnings: list[str]


def module(g: Generated, name: str) -> ModuleType:
    return importlib.import_module(f"{g.package}.{name}")
