"""The generated Insomnia export, imported with Insomnia's own importer (insomnia-importers).

`generated/insomnia/<package>.insomnia.json` is an Insomnia v4 export: a workspace, a base
environment with baseUrl/apiKey/secretKey, one request group per tag and one request per
operation. tests/node/insomnia_export.js runs `convert()` on it and prints what was imported.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from support import REST_SPEC, ROOT, load_yaml, node_exe

pytestmark = pytest.mark.timeout(120)

EXPORT = ROOT / "generated" / "insomnia" / "hotbit.insomnia.json"
SCRIPT = ROOT / "tests" / "node" / "insomnia_export.js"
SPEC = load_yaml(REST_SPEC)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATIONS = [
    (
        op.get("x-method-name", op["operationId"]),
        method.upper(),
        path,
        (op.get("tags") or ["Operations"])[0],
        bool(op.get("x-signed")),
    )
    for path, item in SPEC["paths"].items()
    for method in HTTP_METHODS
    if (op := item.get(method))
]


@pytest.fixture(scope="module")
def imported() -> dict[str, Any]:
    assert EXPORT.exists(), f"{EXPORT} is missing: run `make generate`"
    result = subprocess.run(
        [node_exe(), str(SCRIPT), str(EXPORT)],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_recognised_as_an_insomnia_v4_export(imported: dict[str, Any]) -> None:
    assert imported["importer"] == "insomnia-4"
    assert imported["logged"] == []
    raw = json.loads(EXPORT.read_text(encoding="utf-8"))
    assert (raw["_type"], raw["__export_format"]) == ("export", 4)
    assert "__export_date" not in raw  # deterministic: no timestamps


def test_workspace_and_environment_variables(imported: dict[str, Any]) -> None:
    (workspace,) = imported["workspaces"]
    assert workspace["name"] == SPEC["info"]["title"]
    (environment,) = imported["environments"]
    assert environment["parentId"] == workspace["id"]
    assert environment["data"] == {
        "baseUrl": SPEC["servers"][0]["url"],
        "apiKey": "",
        "secretKey": "",
    }


def test_one_request_per_operation_in_its_tag_group(imported: dict[str, Any]) -> None:
    groups = {g["id"]: g["name"] for g in imported["groups"]}
    assert sorted(groups.values()) == sorted({tag for *_, tag, _ in OPERATIONS})
    got = sorted(
        (r["name"], r["method"], r["url"], groups[r["parentId"]]) for r in imported["requests"]
    )
    want = sorted(
        (name, method, "{{ _.baseUrl }}" + path, tag) for name, method, path, tag, _ in OPERATIONS
    )
    assert got == want
    assert len(imported["requests"]) == len(OPERATIONS)


def test_signed_requests_carry_the_key_variable_and_a_signature_slot(
    imported: dict[str, Any],
) -> None:
    by_name = {r["name"]: r for r in imported["requests"]}
    key, sign = SPEC["x-signature"]["key-parameter"], SPEC["x-signature"]["parameter"]
    raw = {
        r["name"]: r for r in json.loads(EXPORT.read_text())["resources"] if r["_type"] == "request"
    }
    for name, method, _, _, signed in OPERATIONS:
        names = by_name[name]["body"]["params"] if method == "POST" else by_name[name]["parameters"]
        if signed:
            assert names[-2:] == [key, sign], name
            fields = raw[name]["body"]["params"] if method == "POST" else raw[name]["parameters"]
            assert fields[-2]["value"] == "{{ _.apiKey }}"
        else:
            assert key not in names and sign not in names, name
    assert by_name["market.last"]["parameters"] == ["market"]
