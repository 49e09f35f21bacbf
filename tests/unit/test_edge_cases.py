"""Small specs, one per awkward corner of OpenAPI (tests/fixtures/edge/), through the generator.

Every edge spec generates a package that imports, lints, passes `mypy --strict` and round-trips
its examples (the helpers of tests/support/corpus.py; the `edge` fixture is in tests/conftest.py).
Then, per corner, what the generated code does (in sdk/test_edge_sdk.py):
unions (tagged with a discriminator, merged without), nullable vs absent, maps, recursion, open
enums, awkward names, and real calls through `Client`/`AsyncClient` against the generic mock
(generator/mock/rest.py) on a loopback port, asserting what the server received: path, query,
header and cookie parameters; JSON, form, multipart and text bodies; apiKey (header, query,
cookie), bearer and basic auth. Finally the command line: --lenient, Swagger 2.0, documents we
do not support, --templates, and a 200 KB spec (bench/synth_spec.py, also the benchmark's; the
1 MB one is in integration/test_scale.py).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support import REST_SPEC, ROOT
from support.corpus import (
    PYTHON,
    Generated,
    example_cases,
    generate_package,
    large_spec_generates_and_imports,
    round_trip,
    ruff_problems,
)
from support.edge import EDGE, IDS

from generator.cli import main as cli_main

LOCATED = r"^(?P<file>[^:\n]+)(?::(?P<line>\d+))?: (?P<severity>error|warning): (?P<pointer>/[^\n]*?): (?P<message>.+) \[[\w:-]+\]$"


# --------------------------------------------------------------------------------------------
# every edge spec: generates, lints, type-checks, imports, round-trips


@pytest.mark.parametrize("id_", IDS)
def test_edge_spec_generates_and_lints(edge: dict[str, Generated], id_: str) -> None:
    generated = edge[id_]
    assert generated.error is None, generated.error
    assert ruff_problems(generated.out) == ""


@pytest.mark.parametrize("id_", IDS)
def test_edge_spec_type_checks(
    edge: dict[str, Generated], fixtures_mypy: dict[str, list[str]], id_: str
) -> None:
    """One `mypy --strict` run with the AsyncAPI fixtures' packages (`fixtures_mypy`)."""
    assert fixtures_mypy[edge[id_].package] == [], "\n".join(fixtures_mypy[edge[id_].package])


@pytest.mark.parametrize("id_", IDS)
def test_edge_spec_round_trips_its_examples(
    edge: dict[str, Generated], id_: str, tmp_path: Path
) -> None:
    report = round_trip(edge[id_], tmp_path)
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["checked"] == report["cases"] > 0


def test_the_hotbit_spec_round_trips_its_examples(tmp_path: Path) -> None:
    """The project's own spec (envelope, positional arrays, Decimal strings) through the same check."""
    generated = Generated(REST_SPEC, "hotbit", ROOT / "generated")
    report = round_trip(generated, tmp_path)
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["checked"] > 50


def test_the_round_trip_can_fail(tmp_path: Path) -> None:
    """A model that loses data is caught: decode a composition example with a narrower type."""
    spec = EDGE / "composition.yaml"
    cases, _ = example_cases(spec, "x")
    assert any(c.op == "get_inventory" for c in cases)
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        spec.read_text()
        .replace(
            "price: {type: string, format: decimal}",
            "price: {type: string, format: decimal}\n        extra: {type: string}",
        )
        .replace('price: "1.50"', 'price: "1.50"\n                extra: "x"')
    )
    generated = generate_package(broken, tmp_path / "out", "edge_broken")
    assert generated.error is None, generated.error
    # the package drops `extra` from Inventory: simulate by stripping it from the model module
    models = generated.out / "edge_broken" / "models.py"
    models.write_text(models.read_text().replace("    extra: str | UnsetType = UNSET\n", ""))
    report = round_trip(generated, tmp_path)
    assert any("extra" in f for f in report["failures"]), report


# --------------------------------------------------------------------------------------------
# the command line: lenient, unsupported input, templates


def run_generate(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli_main(["generate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_strict_mode_reports_each_problem_as_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    out = tmp_path / "out"
    code, _, err = run_generate(
        "--openapi", str(EDGE / "lenient.yaml"), "--out", str(out), "--package", "x", capsys=capsys
    )
    assert code == 2 and not out.exists()
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) >= 3
    for line in lines:
        match = re.match(LOCATED, line)
        assert match and match["file"].endswith("lenient.yaml") and match["line"], line
    assert any("/info: 'version' is a required property" in line for line in lines)
    assert "Traceback" not in err


def test_lenient_mode_warns_and_generates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    out = tmp_path / "out"
    code, stdout, err = run_generate(
        "--openapi",
        str(EDGE / "lenient.yaml"),
        "--out",
        str(out),
        "--package",
        "lenient_api",
        "--lenient",
        capsys=capsys,
    )
    assert code == 0, err
    assert "generated lenient_api" in stdout
    warnings = [line for line in err.splitlines() if line]
    assert all(re.match(LOCATED, w) and ": warning: " in w for w in warnings), warnings
    assert any("'version' is a required property" in w for w in warnings)
    assert any("path parameter 'petId' is not declared" in w for w in warnings)
    assert any("operationId 'getPet' is used twice" in w for w in warnings)
    proc = subprocess.run(
        [PYTHON, "-c", "import lenient_api; print(lenient_api.Client.get_pet2)"],
        cwd=out,
        env={**os.environ, "PYTHONPATH": str(out)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n',
            "Swagger 2.0 is not supported: convert it to OpenAPI 3 first (for example `npx swagger2openapi",
        ),
        (
            "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "unsupported OpenAPI version '3.2.0'",
        ),
        (
            "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels: {}\n",
            "pass it with --asyncapi",
        ),
        (
            (
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                "      responses:\n        '200': {$ref: 'https://example.com/r.yaml'}\n"
            ),
            "https://example.com/r.yaml",
        ),
        ("- just\n- a list\n", "expected a mapping"),
        ("openapi: [", "invalid YAML"),
    ],
    ids=["swagger", "openapi-3.2", "asyncapi-as-openapi", "remote-ref", "list", "bad-yaml"],
)
def test_unsupported_input_is_one_sentence_and_exit_2(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (`cli.main`); test_unsupported_input_through_the_real_command runs the process."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    # Swagger 2.0 converts by default (integration/test_swagger.py); --no-convert refuses it
    convert = ["--no-convert"] if text.startswith("swagger") else []
    for lenient in ([], ["--lenient"]):
        code, stdout, stderr = run_generate(
            "--openapi", str(spec), "--out", str(tmp_path / "out"), "--package", "x", *lenient, *convert,
            capsys=capsys,
        )  # fmt: skip
        if "https:" in message and lenient:  # lenient: a warning, and the operation is left out
            assert code == 0 and "is remote, which is not supported" in stderr, stderr
            continue
        assert code == 2, stderr
        assert message in stderr and "Traceback" not in stderr + stdout
        assert str(spec) in stderr
        assert not (tmp_path / "out").exists()


def test_unsupported_input_through_the_real_command(tmp_path: Path) -> None:
    """`python -m generator`: the exit status and stderr of the real process."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: [")
    proc = subprocess.run(
        [PYTHON, "-m", "generator", "generate", "--openapi", str(spec), "--out", str(tmp_path / "out"),
         "--package", "x"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "invalid YAML" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(spec) in proc.stderr
    assert not (tmp_path / "out").exists()


def test_templates_override_one_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    custom = tmp_path / "templates" / "package"
    custom.mkdir(parents=True)
    builtin = (ROOT / "templates" / "package" / "_constants.py.j2").read_text()
    (custom / "_constants.py.j2").write_text(builtin + '\nCUSTOMISED = "yes"\n')
    out = tmp_path / "out"
    code, _, err = run_generate(
        "--openapi",
        str(EDGE / "params.yaml"),
        "--out",
        str(out),
        "--package",
        "custom",
        "--templates",
        str(tmp_path / "templates"),
        capsys=capsys,
    )
    assert code == 0, err
    assert 'CUSTOMISED = "yes"' in (out / "custom" / "_constants.py").read_text()


# --------------------------------------------------------------------------------------------
# scale


def test_a_large_spec_generates_and_imports(tmp_path: Path) -> None:
    """200 KB here; integration/test_scale.py generates the 1 MB one."""
    large_spec_generates_and_imports(tmp_path, resources=30, min_size=200_000)


def test_docs_and_readme_name_the_credentials_each_scheme_reads(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli_main(["generate", "--openapi", str(EDGE / "auth.yaml"), "--package", "authx",
                     "--out", str(out)]) == 0  # fmt: skip
    auth = (out / "docs" / "sections" / "authentication.md").read_text()
    assert "`basicAuth`: basic; client arguments `username`, `password`." in auth
    assert "`oauth`: bearer; client argument `token`." in auth
    readme = (out / "README.md").read_text()
    assert 'authx.Client("https://...", api_key="...", token="...", username="...", ' in readme
    assert "secret_key" not in readme
