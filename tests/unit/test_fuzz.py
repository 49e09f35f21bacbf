"""Fuzzing the generator with mutated specs (hypothesis).

Valid specs (the edge fixtures and a corpus document) are mutated: keys deleted, values replaced
by junk, junk keys inserted, types swapped, `$ref`s broken or made circular, names duplicated,
schemas nested deeply. For every mutant, `generate` (strict or --lenient) must either succeed, and
then the package imports, or fail with exit status 2 and located errors (`file:line: error:
/pointer: message`), never a traceback; a failed run leaves the previous output folder exactly as
it was and no `.<name>.new-*`/`.old-*` folder next to it.

The hypothesis test runs the CLI in-process (`generator.cli.main`) to stay fast; a few fixed
mutants (strict and --lenient) also run through `python -m generator` to check stderr of the real
process.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import random
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import ROOT, load_yaml
from support.corpus import CORPUS, PYTHON

from generator.cli import main as cli_main

T = TypeVar("T")
EDGE = ROOT / "tests" / "fixtures" / "edge"
BASE_FILES = [
    EDGE / "composition.yaml",
    EDGE / "types31.yaml",
    EDGE / "enums.yaml",
    EDGE / "names.yaml",
    EDGE / "params.yaml",
    CORPUS / "v3.0" / "petstore-expanded.yaml",
]
BASES = {p.name: load_yaml(p) for p in BASE_FILES if p.exists()}
LOCATED = re.compile(
    r"^(?P<file>[^:\n]+)(?::(?P<line>\d+))?: error: (?P<pointer>/[^\n]*?): (?P<message>.+) \[[\w:-]+\]$"
)
SUMMARY = re.compile(r"^\d+ error\(s\): nothing generated$")

JUNK: list[Any] = [
    None,
    0,
    -1,
    1.5,
    "",
    "x",
    "日本",
    True,
    [],
    {},
    [None],
    {"$ref": "#/nope"},
    {"type": "nonsense"},
    {"a": {"b": {"c": []}}},
    "#/components/schemas",
]
KEYS = [
    "type",
    "$ref",
    "items",
    "properties",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "required",
    "nullable",
    "discriminator",
    "additionalProperties",
    "x-junk",
    "in",
    "name",
    "schema",
    "content",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "security",
    "",
    "日本",
    "class",
    "const",
    "format",
]
TYPES: list[Any] = [
    "string",
    "integer",
    "object",
    "array",
    "null",
    "boolean",
    "number",
    "nonsense",
    ["string", "null"],
    ["object", "array"],
    5,
    None,
]


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...
    def integer(self, low: int, high: int) -> int: ...


class HypothesisChooser:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def choice(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(list(options)))

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


class RandomChooser:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, options: Sequence[T]) -> T:
        return self.rng.choice(list(options))

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


# --------------------------------------------------------------------------------------------
# mutations


def _nodes(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    out = [(path, tree)]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _nodes(v, (*path, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _nodes(v, (*path, i))
    return out


def _containers(spec: Any) -> list[tuple[tuple[Any, ...], Any]]:
    return [(p, n) for p, n in _nodes(spec) if isinstance(n, (dict, list)) and n]


def _set(spec: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return spec


def _schemas(spec: Any) -> Any:
    components = spec.get("components") if isinstance(spec, dict) else None
    return components.get("schemas") if isinstance(components, dict) else None


def delete_key(spec: Any, c: Chooser) -> Any:
    dicts = [n for _, n in _containers(spec) if isinstance(n, dict)]
    if dicts:
        node = c.choice(dicts)
        del node[c.choice(sorted(node, key=str))]
    return spec


def replace_with_junk(spec: Any, c: Chooser) -> Any:
    nodes = _nodes(spec)[1:]
    if not nodes:
        return spec
    path, _ = c.choice(nodes)
    return _set(spec, path, copy.deepcopy(c.choice(JUNK)))


def insert_junk_key(spec: Any, c: Chooser) -> Any:
    dicts = [n for _, n in _nodes(spec) if isinstance(n, dict)]
    if dicts:
        c.choice(dicts)[c.choice(KEYS)] = copy.deepcopy(c.choice(JUNK))
    return spec


def swap_type(spec: Any, c: Chooser) -> Any:
    typed = [n for _, n in _nodes(spec) if isinstance(n, dict) and "type" in n]
    if typed:
        c.choice(typed)["type"] = copy.deepcopy(c.choice(TYPES))
    return spec


def break_ref(spec: Any, c: Chooser) -> Any:
    refs = [n for _, n in _nodes(spec) if isinstance(n, dict) and isinstance(n.get("$ref"), str)]
    if refs:
        c.choice(refs)["$ref"] = c.choice(
            [
                "#/components/schemas/Missing",
                "missing.yaml#/x",
                "#/paths",
                "#/components/schemas",
                "#",
                "#/info/title",
                "nope",
                "#/components/schemas/~2bad",
                "http://example.com/x.yaml",
            ]
        )
    return spec


def circular_ref(spec: Any, c: Chooser) -> Any:
    schemas = _schemas(spec)
    if isinstance(schemas, dict) and schemas:
        name = c.choice(sorted(schemas, key=str))
        schemas[name] = c.choice(
            [
                {"$ref": f"#/components/schemas/{name}"},
                {"allOf": [{"$ref": f"#/components/schemas/{name}"}]},
                {
                    "type": "object",
                    "properties": {"me": {"$ref": f"#/components/schemas/{name}"}},
                    "required": ["me"],
                },
                {
                    "oneOf": [{"$ref": f"#/components/schemas/{name}"}],
                    "discriminator": {"propertyName": "t"},
                },
            ]
        )
    return spec


def duplicate_names(spec: Any, c: Chooser) -> Any:
    ops = [n for _, n in _nodes(spec) if isinstance(n, dict) and "operationId" in n]
    if len(ops) >= 2:
        first, second = ops[0], c.choice(ops[1:])
        second["operationId"] = first["operationId"]
    schemas = _schemas(spec)
    if isinstance(schemas, dict) and schemas:
        name = str(c.choice(sorted(schemas, key=str)))
        schemas[
            c.choice(
                [name.lower(), name.upper(), name + " ", name.replace("a", "-a"), "Struct", "None"]
            )
        ] = copy.deepcopy(schemas[name])
    props = [
        n["properties"]
        for _, n in _nodes(spec)
        if isinstance(n, dict) and isinstance(n.get("properties"), dict)
    ]
    if props:
        target = c.choice(props)
        target["a-b"] = {"type": "string"}
        target["a_b"] = {"type": "integer"}
        target["A B"] = {"type": "boolean"}
    return spec


def nest_deeply(spec: Any, c: Chooser) -> Any:
    schemas = [n for _, n in _nodes(spec) if isinstance(n, dict) and "type" in n]
    if schemas:
        node = c.choice(schemas)
        inner = copy.deepcopy(node)
        for _ in range(c.integer(5, 60)):
            inner = {c.choice(["allOf", "oneOf", "anyOf"]): [inner]} if c.integer(0, 1) else {
                "type": "array", "items": inner}  # fmt: skip
        node.clear()
        node.update(inner)
    return spec


def odd_enum(spec: Any, c: Chooser) -> Any:
    typed = [
        n for _, n in _nodes(spec) if isinstance(n, dict) and n.get("type") in ("string", "integer")
    ]
    if typed:
        c.choice(typed)["enum"] = c.choice(
            [["", " ", "a-b", "a_b"], [1, "1", None], [], [{"x": 1}], [True, 2.5]]
        )
    return spec


MUTATIONS = [
    delete_key,
    replace_with_junk,
    insert_junk_key,
    swap_type,
    break_ref,
    circular_ref,
    duplicate_names,
    nest_deeply,
    odd_enum,
]


def mutant(c: Chooser) -> dict[str, Any]:
    spec = copy.deepcopy(BASES[c.choice(sorted(BASES))])
    for _ in range(c.integer(1, 4)):
        if not _containers(spec):
            break
        spec = c.choice(MUTATIONS)(spec, c)
    return spec


# --------------------------------------------------------------------------------------------
# the checks


def prepare(folder: Path, spec: Any) -> tuple[Path, Path]:
    spec_file = folder / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    out = folder / "outputs" / "sdk"
    out.mkdir(parents=True)
    (out / "keep.txt").write_text("previous output\n")
    return spec_file, out


def check_outcome(code: int, stdout: str, stderr: str, spec_file: Path, out: Path) -> None:
    assert code in (0, 2), (code, stderr)
    assert "Traceback" not in stdout + stderr, stderr
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name != out.name)
    assert leftovers == [], f"stray folders next to the output: {leftovers}"
    if code == 2:
        assert sorted(p.name for p in out.iterdir()) == ["keep.txt"], (
            "the previous output was touched"
        )
        assert (out / "keep.txt").read_text() == "previous output\n"
        errors = [
            line
            for line in stderr.splitlines()
            if line and not SUMMARY.match(line) and ": warning: " not in line
        ]
        assert errors, f"exit 2 without a located error:\n{stderr}"
        for line in errors:
            match = LOCATED.match(line)
            assert match, f"not a located error: {line!r}"
            assert (
                match["file"] == str(spec_file)
                or match["file"].startswith(("/", "<"))
                or match["file"].endswith((".yaml", ".json"))
            ), line
        return
    assert not (out / "keep.txt").exists() and (out / "fuzzed" / "__init__.py").is_file()
    proc = subprocess.run(
        [PYTHON, "-c", "import fuzzed, fuzzed.client"],
        cwd=out,
        env={**os.environ, "PYTHONPATH": str(out)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"generated package does not import:\n{proc.stderr[-3000:]}"


@pytest.mark.timeout(900)
@settings(  # max_examples: the profile (tests/conftest.py; `make test` runs "full")
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_specs_generate_or_fail_located(data: st.DataObject) -> None:
    chooser = HypothesisChooser(data)
    spec = mutant(chooser)
    lenient = chooser.choice([False, True])
    with tempfile.TemporaryDirectory() as tmp:
        spec_file, out = prepare(Path(tmp), spec)
        stdout, stderr = io.StringIO(), io.StringIO()
        args = ["generate", "--openapi", str(spec_file), "--out", str(out), "--package", "fuzzed"]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli_main([*args, "--lenient"] if lenient else args)
        event(f"exit {code}{' (lenient)' if lenient else ''}")
        check_outcome(code, stdout.getvalue(), stderr.getvalue(), spec_file, out)


# as many as a tenth of the profile's examples: 6 in `make test` ("full"), 2 offline
@pytest.mark.parametrize("seed", range(settings.default.max_examples // 10))
def test_mutated_specs_through_the_real_command(seed: int, tmp_path: Path) -> None:
    spec_file, out = prepare(tmp_path, mutant(RandomChooser(seed)))
    proc = subprocess.run(
        [PYTHON, "-m", "generator", "generate", "--openapi", str(spec_file), "--out", str(out),
         "--package", "fuzzed", *(["--lenient"] if seed % 2 else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    check_outcome(proc.returncode, proc.stdout, proc.stderr, spec_file, out)


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """check_outcome rejects a traceback, an unlocated error and a touched output folder."""
    spec_file, out = prepare(tmp_path, {"openapi": "3.0.3"})
    with pytest.raises(AssertionError):
        check_outcome(2, "", "Traceback (most recent call last):\n", spec_file, out)
    with pytest.raises(AssertionError):
        check_outcome(2, "", "something went wrong\n", spec_file, out)
    (out / "half.py").write_text("")
    with pytest.raises(AssertionError):
        check_outcome(2, "", f"{spec_file}:1: error: /: bad [x]\n", spec_file, out)
