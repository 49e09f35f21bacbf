"""Regression specs for what real published specs broke (tests/fixtures/realworld/), one each:

* a document valid for its standard generates by default: problems beyond the standard (examples
  that do not match, `nullable` without `type`, a missing operationId) are located warnings, and
  `--strict` makes them errors;
* YAML is read with 1.2 core scalars: an unquoted timestamp, `yes`, `on`, `1:30` are strings;
* a property name msgspec cannot carry (`optionType"`) keeps its wire name: its field carries a
  stand-in the SDK renames in the JSON it decodes and encodes;
* a validator crash on a non-schema node is reported at that node, not at `file:1 /`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from support import ROOT
from support.corpus import PYTHON, Generated, generate_package, round_trip

from generator.cli import main as cli_main
from generator.load import load_document
from generator.problems import Severity
from generator.validate import validate_files

FIXTURES = ROOT / "tests" / "fixtures" / "realworld"
LOCATED = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<severity>error|warning): (?P<pointer>/[^\n]*?): "
    r"(?P<message>.+) \[(?P<source>[\w:-]+)\]$"
)


def _generate(
    spec: Path, out: Path, *flags: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[re.Match[str]], str]:
    code = cli_main(
        ["generate", "--openapi", str(spec), "--out", str(out), "--package", "pkg", *flags]
    )
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line and "nothing generated" not in line]
    matches = [LOCATED.match(line) for line in lines]
    assert all(matches), lines  # every line is a located problem
    return code, [m for m in matches if m], err


def _import(out: Path, code: str) -> str:
    proc = subprocess.run(
        [PYTHON, "-c", code], cwd=out, env={**os.environ, "PYTHONPATH": str(out)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --------------------------------------------------------------------------------------------
# standard in, client out


def test_problems_beyond_the_standard_are_located_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = FIXTURES / "beyond-the-standard.yaml"
    code, found, _ = _generate(spec, tmp_path / "out", capsys=capsys)
    assert code == 0 and (tmp_path / "out" / "pkg" / "client.py").is_file()
    where = {(int(m["line"]), m["pointer"], m["source"]) for m in found}
    assert {m["severity"] for m in found} == {"warning"}
    assert {
        (7, "/paths/~1account/get", "policy:operation-id"),  # no operationId
        (10, "/paths/~1account/get/parameters/0/schema/example", "rules:example"),  # a list
        (
            17,
            "/paths/~1account/get/responses/200/content/application~1json/example",
            "rules:example",
        ),
        (25, "/components/schemas/Account/properties/note/nullable", "rules"),
    } <= where
    [missing] = [m for m in found if m["pointer"] == "/paths/~1account/get"]  # reported once
    assert (
        missing["message"] == "GET /account has no operationId: the method is named 'get_account'"
    )
    _import(tmp_path / "out", "import pkg; pkg.Client.get_account")
    # --strict: the same problems are errors, and the output is left as it was
    before = (tmp_path / "out" / "pkg" / "client.py").read_bytes()
    code, strict, err = _generate(spec, tmp_path / "out", "--strict", capsys=capsys)
    assert code == 2 and "nothing generated" in err
    assert {m["severity"] for m in strict} == {"error"}
    # (validation stops there: the model's own warnings are not reached)
    assert {(int(m["line"]), m["pointer"], m["source"]) for m in strict} == {
        w for w in where if w[2] != "model"
    }
    assert (tmp_path / "out" / "pkg" / "client.py").read_bytes() == before
    # `validate` reads the document the same way
    problems = validate_files([spec], external=False)
    assert problems and all(p.severity is Severity.WARNING for p in problems)
    # (Spectral, a Node tool, is not part of it: integration/test_validate_spectral.py)
    strict_problems = validate_files([spec], strict=True, external=False)
    assert strict_problems and all(p.severity is Severity.ERROR for p in strict_problems)


def test_structural_errors_stay_errors_unless_lenient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = FIXTURES / "not-a-schema" / "root.yaml"
    code, found, _ = _generate(spec, tmp_path / "out", capsys=capsys)
    assert code == 2 and not (tmp_path / "out").exists()
    assert [(m["line"], m["pointer"]) for m in found if m["severity"] == "error"] == [
        ("4", "/properties/$ref")
    ]
    code, lenient, _ = _generate(spec, tmp_path / "out", "--lenient", capsys=capsys)
    assert code == 0 and {m["severity"] for m in lenient} == {"warning"}
    assert capsys.readouterr().err == ""
    with pytest.raises(SystemExit):  # one or the other
        cli_main(["generate", "--openapi", str(spec), "--out", "x", "--package", "x",
                  "--lenient", "--strict"])  # fmt: skip
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_validator_crash_is_located_at_the_node_that_is_not_a_schema() -> None:
    """As published (kraken-otc): `properties: {$ref: file}` in a file reached through two
    `$ref`s crashed openapi-spec-validator, reported at `root.yaml:2 /`."""
    spec = FIXTURES / "not-a-schema" / "root.yaml"
    [problem] = [p for p in validate_files([spec], external=False, lenient=False)]
    assert Path(problem.file).resolve() == (FIXTURES / "not-a-schema" / "quote.yaml").resolve()
    assert (problem.line, problem.pointer, problem.severity) == (
        4,
        "/properties/$ref",
        Severity.ERROR,
    )
    assert problem.message == "'props.yaml' is not a schema (a mapping or a boolean)"


# --------------------------------------------------------------------------------------------
# YAML 1.2


def test_yaml_is_read_with_the_1_2_core_schema(tmp_path: Path) -> None:
    path = tmp_path / "scalars.yaml"
    path.write_text(
        "a: 2019-08-24T14:15:22Z\nb: 2019-08-24\nc: yes\nd: on\ne: 0777\nf: 0o17\ng: 0x1F\n"
        "h: 1:30\ni: ~\nj:\nk: True\nl: 1.5e3\nm: .inf\nn: 1_000\no: =\np: !!timestamp 2001-12-14\n"
        "q: NO\nr: -.5\nbase: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.data == {
        "a": "2019-08-24T14:15:22Z", "b": "2019-08-24", "c": "yes", "d": "on", "e": 777,
        "f": 15, "g": 31, "h": "1:30", "i": None, "j": None, "k": True, "l": 1500.0,
        "m": float("inf"), "n": "1_000", "o": "=", "p": "2001-12-14", "q": "NO", "r": -0.5,
        "base": {"x": 1}, "merged": {"x": 1, "y": 2},
    }  # fmt: skip
    assert type(doc.data["e"]) is int and type(doc.data["k"]) is bool
    assert (doc.line_of("/a"), doc.line_of("/merged/y")) == (1, 22)


def test_unquoted_timestamps_are_strings_and_generate_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was: a false "not of type 'string'" in strict mode, and `datetime is not JSON
    serializable` at line 1 in lenient mode."""
    spec = FIXTURES / "yaml12-scalars.yaml"
    for flags in (["--strict"], ["--lenient"]):
        code, found, err = _generate(spec, tmp_path / "out", *flags, capsys=capsys)
        assert (code, found) == (0, []), err
    report = round_trip(generate_package(spec, tmp_path / "rt", "yaml12"), tmp_path)
    assert report["failures"] == [] and report["checked"] == report["cases"] >= 3


# --------------------------------------------------------------------------------------------
# odd property names


def test_a_property_name_msgspec_cannot_carry_keeps_its_wire_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures_mypy: dict[str, list[str]]
) -> None:
    """Was: left out of its model with a warning (msgspec refuses `\\`, `"` and control
    characters in a wire name). Now the field carries a stand-in and the SDK's decoders and
    encoders rename those keys: decoded and encoded with the wire names, string values untouched;
    a stand-in equal to a real property name (`optionType\\ue022`) is made unique. The package
    passes `mypy --strict` (`odd_names` in the `fixtures_mypy` run)."""
    spec = FIXTURES / "odd-names.yaml"
    code, found, err = _generate(spec, tmp_path / "out", "--strict", capsys=capsys)
    assert (code, found) == (0, []), err
    (tmp_path / "option.json").write_bytes(
        rb'{"optionType\"": "CALL", "strike price": "optionType\"", "1st": 2, "": "x",'
        rb' "\u0022": "q", "tab\tkey": "t", "optionType\ue022": "real"}'
    )  # `"` escaped two ways; a value equal to an odd name; a real name equal to a stand-in
    (tmp_path / "placed.json").write_bytes(rb'{"id\\": 7, "legs": [{"\"": "q"}]}')
    script = (
        "from pathlib import Path\n"
        "from pkg import _constants, _wire, models\n"
        "print(sorted(_constants.WIRE_NAMES.items()))\n"
        "for name in ('Option', 'Placed'):\n"
        f"    data = Path({str(tmp_path)!r}, name.lower() + '.json').read_bytes()\n"
        "    value = _wire.json_decoder(getattr(models, name)).decode(data)\n"
        "    print(value)\n"
        "    print(_wire.json_encode(value).decode())\n"
    )
    table, option, option_json, placed, placed_json = (
        _import(tmp_path / "out", script).strip().splitlines()
    )
    assert table == repr(
        sorted([("\ue022", '"'), ("id\ue05c", "id\\"), ("optionType\ue022\ue000", 'optionType"'),
                ("tab\ue009key", "tab\tkey")])
    )  # fmt: skip
    assert option == (
        "Option(option_type__='CALL', strike_price='optionType\"', field_1st=2, field_='x', "
        "field__1='q', tab_key='t', option_type_='real')"
    )
    assert option_json == (
        r'{"optionType\"":"CALL","strike price":"optionType\"","1st":2,"":"x","\"":"q",'
        '"tab\\tkey":"t","optionType\ue022":"real"}'
    )
    assert placed == (
        "Placed(id_=7, legs=[Option(option_type__=UNSET, strike_price=UNSET, field_1st=UNSET, "
        "field_=UNSET, field__1='q', tab_key=UNSET, option_type_=UNSET)])"
    )
    assert placed_json == r'{"id\\":7,"legs":[{"\"":"q"}]}'
    sent = _import(  # a parameter: an identifier, the wire name kept
        tmp_path / "out",
        "from pkg import _operations as ops; print(ops.list_options_request(option_kind='a').query)",
    )
    assert sent.strip() == """[('option"Kind', 'a')]"""
    generated = Generated(spec, "pkg", tmp_path / "out")
    report = round_trip(generated, tmp_path)  # the spec's examples, decoded and encoded back
    assert report["failures"] == [] and report["checked"] == report["cases"] >= 2
    assert fixtures_mypy["odd_names"] == []


def test_yaml_12_loading_keeps_libyaml_speed() -> None:
    """The YAML 1.2 resolver sits on libyaml's parser whenever PyYAML has it (the pure-Python
    parser is several times slower on megabyte specs)."""
    import yaml
    import yaml.cyaml

    from generator.load import _LOADER

    assert yaml.__with_libyaml__, "PyYAML without libyaml: specs load several times slower"
    assert issubclass(_LOADER, yaml.cyaml.CParser)
