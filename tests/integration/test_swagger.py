"""Swagger 2.0 converts (generator/convert.py, swagger2openapi from `npm ci`): a BitMEX-like
document generates with one warning line, its problems point at the Swagger file's lines, the
package type-checks, and the mock (which converts the same way) answers every operation through
the generated client. `--no-convert` keeps the refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import ROOT, node_bin
from support.corpus import generate_package, mypy_all
from support.mock_calls import call_every_operation, failures

from generator import convert, tools
from generator.cli import main as cli_main
from generator.load import load_document
from generator.problems import SpecError

SPEC = ROOT / "tests" / "fixtures" / "realworld" / "bitmex-like.swagger.json"


def test_swagger_2_converts_with_one_warning_and_generates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node_bin("swagger2openapi")
    out = tmp_path / "out"
    args = ["generate", "--openapi", str(SPEC), "--out", str(out), "--package", "bitmex"]
    assert cli_main([*args, "--verbose"]) == 0  # every warning on its line
    err = capsys.readouterr().err.splitlines()
    converted = [line for line in err if "[kind]" in line]
    expected = (
        f"{SPEC}:2: warning: /swagger: Swagger 2.0: converted to OpenAPI 3.0.0 with "
        "swagger2openapi before generating (lines are the Swagger document's; --no-convert "
        "refuses it instead) [kind]"
    )
    assert converted == [expected]
    # a problem of the converted document points into the Swagger file
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    seen = set()
    for line in err:
        match = re.match(rf"{re.escape(str(SPEC))}:(\d+): warning: (/\S*?): ", line)
        assert match, line
        seen.add(match[2])
        if match[2] == "/paths/~1order/post/responses":
            assert '"responses"' in lines[int(match[1]) - 1]
    assert "/paths/~1order/post/responses" in seen
    client = (out / "bitmex" / "client.py").read_text(encoding="utf-8")
    for method in ("instrument_get", "order_new", "order_cancel", "user_get_wallet"):
        assert f"def {method}(" in client
    constants = (out / "bitmex" / "_constants.py").read_text(encoding="utf-8")
    assert "https://www.bitmex.example/api/v1" in constants
    # --no-convert: today's refusal
    assert cli_main([*args, "--no-convert"]) == 2
    assert "Swagger 2.0 is not supported" in capsys.readouterr().err


def test_the_converted_package_type_checks_and_its_mock_answers_every_operation(
    tmp_path: Path,
) -> None:
    node_bin("swagger2openapi")
    generated = generate_package(SPEC, tmp_path / "bitmex", "bitmex")
    assert generated.error is None, generated.error
    assert mypy_all([generated], tmp_path / "mypy") == {"bitmex": []}
    report = call_every_operation(generated)
    assert len(report["operations"]) == report["mock_operations"] == 4
    assert failures(report) == {} and report["invalid_answers"] == {}


def test_without_swagger2openapi_the_refusal_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools, "node_tool", lambda name, near=None: None)
    with pytest.raises(SpecError) as refused:
        convert.convert_swagger(load_document(SPEC))
    [problem] = refused.value.problems
    assert (problem.line, problem.pointer, problem.severity.value) == (2, "/swagger", "error")
    assert "swagger2openapi is not installed" in problem.message
    assert "npx swagger2openapi" in problem.message
