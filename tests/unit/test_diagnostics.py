"""The diagnostics collector, problem sources, the one lenient policy, and Spectral being optional."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cli
from generator.problems import Diagnostics, Problem, Severity, Source, SpecError, apply_policy
from generator.validate import spectral, validate_files

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "fixtures" / "specs" / "openapi-30-good.yaml"
GOOD_WS = ROOT / "tests" / "fixtures" / "specs" / "asyncapi-26-good.yaml"


def test_sources_are_an_enum_and_strings_are_parsed() -> None:
    problem = Problem("f.yaml", 3, "/info", "no contact", "spectral:info-contact")
    assert problem.source is Source.SPECTRAL and problem.rule == "info-contact"
    assert problem.label == "spectral:info-contact"
    assert str(problem) == "f.yaml:3: error: /info: no contact [spectral:info-contact]"
    assert Problem("f", None, "", "m", "load").source is Source.LOAD
    assert Problem("f", None, "", "m").source is Source.GENERATOR
    assert Problem("f", None, "", "m", Source.RULES).source == "rules"  # a StrEnum
    with pytest.raises(ValueError):
        Problem("f", None, "", "m", "no-such-source")


def test_collector_deduplicates_sorts_and_applies_lenient_once() -> None:
    late = Problem("b.yaml", 9, "/x", "late", Source.RULES)
    early = Problem("a.yaml", 2, "/y", "early", Source.OPENAPI)
    note = Problem("a.yaml", None, "", "skipped", Source.SPECTRAL, Severity.NOTE)
    strict = Diagnostics()
    strict.extend([late, early, late])
    strict.add(note)
    assert strict.result() == [note, early, late]
    assert strict.errors == [early, late]
    with pytest.raises(SpecError) as caught:
        strict.raise_errors()
    assert caught.value.problems == [early, late]
    lenient = Diagnostics(lenient=True)
    lenient.extend([late, early, note])
    result = lenient.result()
    assert [p.severity for p in result] == [Severity.NOTE, Severity.WARNING, Severity.WARNING]
    assert lenient.errors == []
    lenient.raise_errors()  # nothing to raise
    assert apply_policy([late, early], lenient=True) == result[1:]


@pytest.fixture
def no_spectral(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(spectral, "spectral_bin", lambda near=None: tmp_path / "spectral")


@pytest.mark.usefixtures("no_spectral")
def test_without_spectral_one_note_names_the_skipped_checks() -> None:
    problems = validate_files([GOOD, GOOD_WS])
    [note] = problems
    assert note.severity is Severity.NOTE and note.source is Source.SPECTRAL
    assert "skipped the Spectral lint" in note.message
    assert "spectral:oas" in note.message and "spectral:asyncapi" in note.message
    assert "on 2 file(s)" in note.message
    assert validate_files([GOOD], lenient=True)[0].severity is Severity.NOTE


@pytest.mark.usefixtures("no_spectral")
def test_cli_without_spectral_prints_one_line_and_succeeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["validate", str(GOOD), str(GOOD_WS)]) == cli.EXIT_OK
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1 and ": note: /: Spectral is not installed" in lines[0]
    assert lines[0].endswith("[spectral]")
    assert out.strip() == "ok: 2 file(s) valid"  # a note is not a warning


@pytest.mark.usefixtures("no_spectral")
def test_require_external_makes_missing_spectral_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["validate", "--require-external", str(GOOD)]) == cli.EXIT_SPEC
    err = capsys.readouterr().err
    assert ": error: /: Spectral is not installed" in err and "1 error(s) in 1 file(s)" in err


def test_spectral_that_fails_to_run_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "spectral"
    broken.write_text("#!/bin/sh\necho boom >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(spectral, "spectral_bin", lambda near=None: broken)
    [problem] = validate_files([GOOD])
    assert problem.severity is Severity.ERROR and problem.source is Source.SPECTRAL
    assert "Spectral failed: boom" in problem.message


def test_load_and_check_applies_lenient_through_the_collector() -> None:
    from generator.pipeline import load_and_check

    spec = ROOT / "tests" / "fixtures" / "edge" / "lenient.yaml"
    with pytest.raises(SpecError) as strict:
        load_and_check(str(spec), False, "openapi", strict=True)
    assert strict.value.problems and all(
        p.severity is Severity.ERROR for p in strict.value.problems
    )
    _, _, warnings = load_and_check(str(spec), True, "openapi")
    assert [(p.file, p.line, p.pointer, p.message) for p in warnings] == [
        (p.file, p.line, p.pointer, p.message) for p in strict.value.problems
    ]
    assert all(p.severity is Severity.WARNING for p in warnings)


def _ops_without_examples(tmp_path: Path, count: int) -> Path:
    paths = "".join(
        f"  /p{i}:\n    get:\n      operationId: op{i}\n      responses:\n"
        "        '200':\n          description: ok\n"
        "          content: {application/json: {schema: {type: string}}}\n"
        for i in range(count)
    )
    spec = tmp_path / "api.yaml"
    spec.write_text(f"openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}")
    return spec


def test_repeated_warnings_of_a_rule_fold_into_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Third-party specs: one line per rule (the first place, the count, the next lines);
    --verbose prints each; --strict (our own specs) makes each an error, as before."""
    spec = _ops_without_examples(tmp_path, 8)
    args = ["generate", "--openapi", str(spec), "--package", "p", "--out", str(tmp_path / "o")]
    lines: dict[str, list[str]] = {}
    for mode in ("", "--verbose", "--strict"):
        code = cli.main([*args, mode] if mode else args)
        assert code == (2 if mode == "--strict" else 0)
        err = capsys.readouterr().err
        lines[mode] = [line for line in err.splitlines() if "[policy:response-example]" in line]
    [folded] = lines[""]
    assert folded == (
        f"{spec}:8: warning: /paths/~1p0/get/responses: GET /p0 has no response example: give a "
        "response media type an `example` or `examples` (and 7 more like it, at lines 15, 22, "
        "29, 36, 43, ...: --verbose lists each) [policy:response-example]"
    )
    assert [line.split(": ")[0] for line in lines["--verbose"]] == [
        f"{spec}:{8 + 7 * i}" for i in range(8)
    ]
    assert all(": warning: " in line for line in lines["--verbose"])
    assert [line.replace(": error: ", ": warning: ") for line in lines["--strict"]] == lines[
        "--verbose"
    ]


def test_a_rule_repeated_up_to_three_times_is_not_folded() -> None:
    from generator.problems import fold_warnings

    def warning(line: int, label: str) -> Problem:
        return Problem("a.yaml", line, f"/x{line}", "m", label, Severity.WARNING)

    few = [warning(i, "policy:response-example") for i in range(3)]
    unnamed = [warning(10 + i, "rules") for i in range(5)]  # a check without a rule name
    errors = [Problem("a.yaml", 20 + i, "/e", "m", "spectral:r") for i in range(5)]
    assert fold_warnings(few + unnamed + errors) == few + unnamed + errors
    many = [warning(i, "spectral:r") for i in range(4)] + [warning(9, "rules:example")]
    folded = fold_warnings(many)
    assert [p.line for p in folded] == [0, 9]
    assert folded[0].message == "m (and 3 more like it, at lines 1, 2, 3: --verbose lists each)"
