"""The two real specs through the Node tools: Spectral-clean, and imported by Postman and Insomnia."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from support import REST_SPEC, ROOT, WS_SPEC, node_bin, node_exe

from generator.load import Document, load_document
from generator.problems import Problem
from generator.validate import openapi_operations, validate_files

SPECS = {"rest": REST_SPEC, "websocket": WS_SPEC}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: load_document(path) for name, path in SPECS.items()}


@pytest.fixture(scope="module")
def validation() -> dict[str, list[Problem]]:
    """`validate_files` with Spectral, once per spec for the whole module."""
    return {name: validate_files([path], external=True) for name, path in SPECS.items()}


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", SPECS)
def test_spec_validates_with_zero_problems(name: str, validation: dict[str, list[Problem]]) -> None:
    problems = validation[name]
    assert problems == [], f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems))


# ------------------------------------------------------------------ importers


def _operations(doc: Document) -> list[tuple[str, str, dict[str, Any]]]:
    ops = [(op.method.upper(), op.path, op.data) for op in openapi_operations(doc)]
    assert ops, "the REST spec has no operations"
    return ops


def _postman_requests(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items:
        if "request" in item:
            found.append(item["request"])
        found.extend(_postman_requests(item.get("item", [])))
    return found


def test_postman_conversion_has_one_request_per_operation(
    tmp_path: Path, docs: dict[str, Document]
) -> None:
    out = tmp_path / "c.json"
    proc = subprocess.run(
        [str(node_bin("openapi2postmanv2")), "-s", str(REST_SPEC), "-o", str(out), "-p"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and out.exists(), (
        f"conversion failed:\n{proc.stdout}\n{proc.stderr}"
    )
    collection = json.loads(out.read_text())
    requests = _postman_requests(collection["item"])
    operations = _operations(docs["rest"])
    assert len(requests) == len(operations)
    got = Counter(
        (r["method"].upper(), "/" + "/".join(r["url"]["path"]))
        for r in requests
        if isinstance(r.get("url"), dict)
    )
    expected = Counter(
        (method, re.sub(r"\{([^}]+)\}", r":\1", path)) for method, path, _ in operations
    )
    assert got == expected


def test_insomnia_import_has_a_request_per_operation(docs: dict[str, Document]) -> None:
    node_bin("insomnia-import")  # fails with "run make test-tools" if the package is missing
    script = ROOT / "tests" / "node" / "insomnia_import.js"
    proc = subprocess.run(
        [node_exe(), str(script), str(REST_SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"insomnia-importers failed:\n{proc.stdout}\n{proc.stderr}"
    summary = json.loads(proc.stdout)
    assert summary["importer"] == "openapi3" and summary["logged"] == []
    got = Counter(
        (r["method"], r["url"].removeprefix("{{ base_url }}")) for r in summary["requests"]
    )
    # Insomnia files an operation once under each of its tags
    expected = Counter(
        {
            (method, re.sub(r"\{([^}]+)\}", r"{{ \1 }}", path)): max(1, len(op.get("tags") or []))
            for method, path, op in _operations(docs["rest"])
        }
    )
    assert got == expected
    assert len(summary["requests"]) >= len(_operations(docs["rest"]))
