"""generator/validate.py with Spectral (`external=True`) on tiny fixture specs."""

from __future__ import annotations

import pytest
from support import ROOT
from support.validation import BROKEN, FIXTURES, problems_of, rel, run_cli

from generator import validate
from generator.problems import Severity, Source


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # problems name files relative to the working directory


@pytest.mark.parametrize(
    "name", ["openapi-30-good.yaml", "openapi-31-good.yaml", "asyncapi-26-good.yaml"]
)
def test_good_fixture_is_clean_with_spectral(name: str) -> None:
    """Also proves Spectral info/hint results (asyncapi-latest-version) are not reported."""
    assert problems_of(name, external=True) == []


def test_spectral_results_are_mapped_to_problems() -> None:
    problems = problems_of("openapi-30-no-operationid.yaml", external=True)
    contact = [p for p in problems if p.label == "spectral:info-contact"]
    assert all(p.source is Source.SPECTRAL and p.rule == "info-contact" for p in contact)
    assert len(contact) == 1
    assert (contact[0].pointer, contact[0].line) == ("/info", 2)
    assert contact[0].severity is Severity.WARNING  # beyond the standard: reported, not refused
    assert contact[0].message.endswith("(Spectral warning)")
    strict = problems_of("openapi-30-no-operationid.yaml", external=True, strict=True)
    assert any(
        p.label == "spectral:info-contact" and p.severity is Severity.ERROR for p in strict
    )  # --strict (`make validate`) fails on it
    lenient = problems_of("openapi-30-no-operationid.yaml", external=True, lenient=True)
    assert any(
        p.label == "spectral:info-contact" and p.severity is Severity.WARNING for p in lenient
    )


def test_lenient_turns_every_spectral_error_into_a_warning() -> None:
    for name, external in [
        ("openapi-30-no-operationid.yaml", True),  # with Spectral's findings
    ]:
        strict = problems_of(name, external=external, strict=True)
        lenient = problems_of(name, external=external, lenient=True)
        assert strict and all(p.severity is Severity.ERROR for p in strict)
        assert any(p.source is Source.SPECTRAL for p in strict)  # Spectral really ran
        assert all(p.severity is Severity.WARNING for p in lenient)
        key = [(p.file, p.line, p.pointer, p.message, p.source) for p in strict]
        assert key == [(p.file, p.line, p.pointer, p.message, p.source) for p in lenient]


def test_spectral_lint_uses_the_root_ruleset() -> None:
    results = validate.spectral_lint(FIXTURES / "openapi-30-bad-example.yaml")
    codes = {r["code"] for r in results}
    assert "oas3-valid-media-example" in codes  # from spectral:oas
    results = validate.spectral_lint(FIXTURES / "asyncapi-26-good.yaml")
    assert {r["code"] for r in results} == {"asyncapi-latest-version"}  # spectral:asyncapi (info)


def test_cli_accepts_good_files_and_lenient_mode() -> None:
    proc = run_cli(rel("openapi-30-good.yaml"), rel("asyncapi-26-good.yaml"))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "ok: 2 file(s) valid" in proc.stdout
    for mode in ("--lenient", None):  # a missing operationId is beyond the standard
        proc = run_cli(
            *filter(None, [mode, "--no-external", rel("openapi-30-no-operationid.yaml")])
        )
        assert proc.returncode == 0
        assert (
            ":8: warning: /paths/~1server.time/get: GET /server.time has no operationId"
            in proc.stderr
        )
    proc = run_cli("--strict", "--no-external", rel("openapi-30-no-operationid.yaml"))
    assert proc.returncode == 2
    assert ":8: error: /paths/~1server.time/get: GET /server.time has no operationId" in proc.stderr


def test_cli_reports_located_errors_and_exits_2_with_spectral() -> None:
    proc = run_cli(rel("openapi-30-bad-structure.yaml"))
    assert proc.returncode == 2, proc.stderr
    assert (
        f"{rel('openapi-30-bad-structure.yaml')}:15: error: /paths/~1market.last/get/responses/200: "
        "'description' is a required property [openapi]"
    ) in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("name", BROKEN)
def test_cli_with_spectral_never_shows_a_traceback(name: str) -> None:
    proc = run_cli(rel(name))
    assert proc.returncode == 2
    assert f"{rel(name)}" in proc.stderr and "error" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
