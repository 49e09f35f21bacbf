"""OpenAPI Overlay 1.0 (generator/overlay.py, `--overlay FILE`): update merges into objects and
appends to arrays, remove removes, in order; problems are located in the overlay, and so are the
nodes it adds. docs/overlays/ applies to the Binance spec of the corpus."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from support import ROOT

from generator.cli import main as cli_main
from generator.load import load_document
from generator.overlay import apply_overlays
from generator.problems import Severity, SpecError

SPEC = """\
openapi: 3.0.3
info: {title: overlaid, version: "1"}
tags: [{name: a}, {name: b}, {name: c}]
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: page, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
              example: {id: x}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_update_and_remove_in_order(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.yaml", SPEC)
    overlay = _write(
        tmp_path,
        "o.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.info\n    update: {title: renamed, x-sdk: {name: Items}}\n"
        "  - target: $.paths['/items'].get\n"
        "    update:\n      x-retry-safe: false\n      responses: {'200': {description: fine}}\n"
        "  - target: $.tags\n    update: {name: d}\n"
        "  - target: $.tags[?@.name == 'a']\n    remove: true\n"
        "  - target: $.paths[*].get.parameters[?@.name == 'limit']\n    remove: true\n",
    )
    doc, warnings = apply_overlays(load_document(spec), [overlay])
    assert warnings == []
    assert doc.data["info"] == {"title": "renamed", "version": "1", "x-sdk": {"name": "Items"}}
    get = doc.data["paths"]["/items"]["get"]
    assert get["x-retry-safe"] is False
    assert get["responses"]["200"]["description"] == "fine"  # merged recursively:
    assert "content" in get["responses"]["200"]  # the rest is kept
    assert [t["name"] for t in doc.data["tags"]] == ["b", "c", "d"]
    assert [p["name"] for p in get["parameters"]] == ["page"]
    # lines: kept for the document's nodes (renumbered after a removal), the overlay's for added ones
    assert doc.origin("/paths/~1items/get/parameters/0") == (str(spec), 10)
    assert doc.origin("/tags/0") == (str(spec), 3)
    assert doc.origin("/info/x-sdk/name") == (str(overlay), 5)
    assert doc.origin("/paths/~1items/get/x-retry-safe") == (str(overlay), 8)
    assert doc.origin("/tags/2") == (str(overlay), 11)
    assert load_document(spec).data["info"]["title"] == "overlaid"  # the file is untouched


@pytest.mark.parametrize(
    ("actions", "line", "pointer", "message"),
    [
        ("  - target: $.nothing\n    update: {a: 1}\n", 4, "/actions/0/target", "selects nothing"),
        ("  - target: $.paths[\n    remove: true\n", 4, "/actions/0/target", "invalid JSONPath"),
        ("  - target: $.tags\n    remove: 3\n  - target: $.info\n    update: [1]\n", 7,
         "/actions/1/update", "`update` must be an object"),
        ("  - target: $.info.title\n    update: x\n", 5, "/actions/0/update",
         "select the containing object"),
        ("  - update: {}\n", 4, "/actions/0", "needs a `target`"),
    ],
    ids=["no-match", "bad-jsonpath", "not-an-object", "primitive", "no-target"],
)  # fmt: skip
def test_problems_are_located_in_the_overlay(
    tmp_path: Path, actions: str, line: int, pointer: str, message: str
) -> None:
    spec = _write(tmp_path, "api.yaml", SPEC)
    overlay = _write(
        tmp_path, "o.yaml", "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n" + actions
    )
    try:
        _, problems = apply_overlays(load_document(spec), [overlay])
    except SpecError as exc:
        problems = exc.problems
    [problem] = [p for p in problems if p.pointer == pointer]
    assert (problem.file, problem.line) == (str(overlay), line)
    assert message in problem.message
    expected = Severity.WARNING if "nothing" in message else Severity.ERROR
    assert problem.severity is expected


def test_not_an_overlay_is_refused(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.yaml", SPEC)
    overlay = _write(
        tmp_path, "o.yaml", "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n"
    )
    with pytest.raises(SpecError) as refused:
        apply_overlays(load_document(spec), [overlay])
    [problem] = refused.value.problems
    assert (problem.line, problem.pointer) == (1, "/overlay")


def test_generate_applies_overlays_and_locates_what_they_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "api.yaml", SPEC)
    first = _write(
        tmp_path, "1.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/items'].get\n    update: {operationId: items}\n",
    )  # fmt: skip
    second = _write(
        tmp_path, "2.yaml",
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/items'].get.responses['200'].content['application/json']\n"
        "    update: {example: {id: 5}}\n",
    )  # fmt: skip
    out = tmp_path / "out"
    args = ["generate", "--openapi", str(spec), "--out", str(out), "--package", "items"]
    assert cli_main([*args, "--overlay", str(first), "--overlay", str(second)]) == 0
    err = capsys.readouterr().err
    assert "def items(" in (out / "items" / "client.py").read_text(encoding="utf-8")
    # the example the second overlay replaced does not match: located in that overlay
    where = "/paths/~1items/get/responses/200/content/application~1json/example/id"
    assert f"{second}:5: warning: {where}: example does not match its schema" in err


def test_the_shipped_binance_overlay_applies_to_the_published_spec() -> None:
    corpus = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus"))
    spec = corpus / "exchanges" / "openapi" / "binance-cmfutures.openapi.yaml"
    overlay = ROOT / "docs" / "overlays" / "binance-cmfutures.overlay.yaml"
    doc, warnings = apply_overlays(load_document(spec), [overlay])
    assert warnings == []
    signature = doc.data["x-signature"]
    assert signature["algorithm"] == "hmac-sha256" and signature["payload"] == "{query}{body}"
    assert signature["headers"] == {"X-MBX-APIKEY": "{api_key}"}
    operations = [op for item in doc.data["paths"].values() for op in item.values()]
    signed = [op for op in operations if op.get("x-signed") is True]
    schemas = doc.data["components"]["schemas"]

    def timestamped(op: dict[str, Any]) -> bool:  # a timestamp parameter or form property
        body = op.get("requestBody", {}).get("content", {})
        refs = [media["schema"]["$ref"].rsplit("/", 1)[1] for media in body.values()]
        return any(p.get("name") == "timestamp" for p in op.get("parameters", [])) or any(
            "timestamp" in schemas[ref]["properties"] for ref in refs
        )

    # Binance's SIGNED endpoints: TRADE and USER_DATA; every one that takes a timestamp among them
    kinds = {op["operationId"]: op["summary"].rsplit("(", 1)[-1] for op in operations}
    assert [op["operationId"] for op in signed] == [
        name for name, kind in kinds.items() if kind in ("TRADE)", "USER_DATA)")
    ]
    assert [op for op in operations if timestamped(op)] == [op for op in signed if timestamped(op)]
    assert len(signed) == 36 and sum(1 for op in signed if "requestBody" in op) == 9
    assert doc.origin("/x-signature/algorithm")[0] == str(overlay)
    # New Order's parameters: the published ones, in the order of Binance's documentation
    published = load_document(spec).data["components"]["schemas"]["CreateOrderV1Req"]
    order = schemas["CreateOrderV1Req"]
    assert sorted(order["properties"].items()) == sorted(published["properties"].items())
    first = ["symbol", "side", "positionSide", "type", "timeInForce"]
    assert list(order["properties"])[:5] == first
    assert list(order["properties"])[-2:] == ["recvWindow", "timestamp"]
    assert order["required"] == published["required"]
