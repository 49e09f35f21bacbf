"""Generate a package from an OpenAPI document and check it: imports, `mypy --strict`, `ruff check`
and `ruff format --check`, and a round trip of the spec's own examples through its models.

The round trip: each response example and schema example is decoded with the type the SDK uses for
it (an operation's `_parse` for its success response, `models.<Name>` or the scalar type for a
schema) and re-encoded with the SDK's JSON encoder; the result must equal the example, up to number
formats (Decimal vs string vs float) and date/UUID spellings. Fields the example leaves out stay
out (UNSET).

Used by unit/test_corpus.py, unit/test_edge_cases.py, unit/test_fuzz.py,
integration/test_real_world.py and integration/test_scale.py. Generation runs in-process (`generator.pipeline.generate`),
imports and round trips in a subprocess (the output folder on `sys.path`), and mypy once over
every generated package (one process, one cache).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from generator.load import Document, Resolver, load_document
from generator.model.openapi import HTTP_METHODS, build_rest_model
from generator.model.types import TypeMapper, scalar_type
from generator.pipeline import generate
from generator.problems import Problem, SpecError, join_pointer

from . import ROOT

CORPUS = Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")) / "openapi"
CORPUS_SPECS = sorted(p for p in CORPUS.glob("v3.*/*") if p.suffix in (".yaml", ".yml", ".json"))
# Real-world documents that come with the Node tools (`make deps`): an 830 KB spec written by a .NET
# generator (nullable oneOf wrappers, enums whose values are model names...) and Insomnia's import
# fixtures. Not all are valid: they are generated with --lenient.
NODE_MODULES = ROOT / "node_modules"
REAL_WORLD = [
    NODE_MODULES / "openapi-to-postmanv2" / "oas.json",
    *sorted(
        (NODE_MODULES / "insomnia-importers" / "src" / "importers" / "fixtures" / "openapi3").glob(
            "*-input.*"
        )
    ),
]
PYTHON = sys.executable


# --------------------------------------------------------------------------------------------
# helpers


def package_name(spec: Path, prefix: str) -> str:
    """A module name unique per spec: prefix, folder and file name, e.g. corpus_v30_petstore."""
    raw = f"{prefix}_{spec.parent.name.replace('.', '')}_{spec.stem}".lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", raw))


@dataclass
class Generated:
    spec: Path
    package: str
    out: Path
    warnings: list[Problem] = field(default_factory=list)
    error: str | None = None  # the located problems, when generation failed


def generate_package(
    spec: Path, out: Path, package: str, *, lenient: bool = False, overlays: tuple[Path, ...] = ()
) -> Generated:
    try:
        warnings = generate(
            openapi=str(spec),
            asyncapi=None,
            out=out,
            package=package,
            lenient=lenient,
            overlays=[str(o) for o in overlays],
        )
    except SpecError as exc:
        return Generated(spec, package, out, error=str(exc))
    return Generated(spec, package, out, warnings)


@dataclass(frozen=True)
class Case:
    """One example and how the SDK decodes it."""

    label: str  # file#pointer of the example
    example: Any
    op: str | None = None  # py_name of the operation whose `_parse` decodes it
    type: str | None = None  # else: a type expression (models.X, list[int]...)
    envelope: tuple[str, str] | None = None  # (result, error) properties of an enveloped answer


def example_cases(spec: Path, package: str) -> tuple[list[Case], int]:
    """Every response and schema example of the spec with the type that decodes it, and the
    number of examples left out (a schema the SDK has no named type for, e.g. an inline object
    nested in a model)."""
    doc = load_document(spec)
    resolver = Resolver(doc)
    model = build_rest_model(doc, resolver, package, lenient=True)
    finder = _ExampleFinder(doc, resolver, model.collector)
    ops = {(op.path, op.http_method.lower()): op for op in model.api.operations}
    envelope = model.api.envelope
    root = doc.data if isinstance(doc.data, dict) else {}
    for path, item in (root.get("paths") or {}).items():
        item_loc = resolver.follow(item, doc, join_pointer("/paths", path))
        if not isinstance(item_loc.value, dict):
            continue
        for method in HTTP_METHODS:
            raw = item_loc.value.get(method)
            op = ops.get((path, method))
            if not isinstance(raw, dict) or op is None:
                continue
            success = _success_code(raw.get("responses") or {})
            for code, response in (raw.get("responses") or {}).items():
                where = join_pointer(item_loc.pointer, method, "responses", code)
                located = resolver.follow(response, item_loc.doc, where)
                use_op = str(code) == success and op.result.decode_type not in ("None", "bytes")
                env = (envelope.result, envelope.error) if envelope and op.enveloped else None
                finder.response(
                    located.value, located.doc, located.pointer, op.py_name if use_op else None, env
                )
    components = root.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        finder.schema(schema, doc, join_pointer("/components/schemas", name))
    return finder.cases, finder.skipped


def _success_code(responses: dict[str, Any]) -> str | None:
    codes = sorted(map(str, responses))
    return next((c for c in codes if c.startswith("2")), "default" if "default" in codes else None)


class _ExampleFinder:
    def __init__(self, doc: Document, resolver: Resolver, collector: TypeMapper) -> None:
        self.doc, self.resolver, self.collector = doc, resolver, collector
        self.cases: list[Case] = []
        self.skipped = 0
        self._seen: set[tuple[str, str]] = set()

    def label(self, doc: Document, pointer: str) -> str:
        return f"{doc.path.name}#{pointer}"

    def response(
        self,
        response: Any,
        doc: Document,
        pointer: str,
        op: str | None,
        envelope: tuple[str, str] | None,
    ) -> None:
        if not isinstance(response, dict):
            return
        for media, obj in (response.get("content") or {}).items():
            if "json" not in media or not isinstance(obj, dict):
                continue
            media_ptr = join_pointer(pointer, "content", media)
            values: list[tuple[str, Any]] = []
            if "example" in obj:
                values.append((join_pointer(media_ptr, "example"), obj["example"]))
            for name, ex in (obj.get("examples") or {}).items():
                located = self.resolver.follow(ex, doc, join_pointer(media_ptr, "examples", name))
                if isinstance(located.value, dict) and "value" in located.value:
                    values.append(
                        (join_pointer(media_ptr, "examples", name, "value"), located.value["value"])
                    )
            schema_ptr = join_pointer(media_ptr, "schema")
            type_ = self.type_of(obj.get("schema", {}), doc, schema_ptr)  # no schema: Any
            for where, value in values:
                if op is not None:
                    if (
                        envelope is not None
                        and isinstance(value, dict)
                        and value.get(envelope[1]) is not None
                    ):
                        continue  # an error answer: raised, not decoded
                    self.cases.append(Case(self.label(doc, where), value, op=op, envelope=envelope))
                elif type_ is not None and envelope is None:
                    self.cases.append(Case(self.label(doc, where), value, type=type_))
                else:
                    self.skipped += 1
            if "schema" in obj:
                self.schema(obj["schema"], doc, schema_ptr)

    def type_of(self, schema: Any, doc: Document, pointer: str) -> str | None:
        located = self.resolver.follow(schema, doc, pointer)
        name = self.collector.name_of(located.doc, located.pointer)
        if name is not None:
            return f"models.{name}"
        node = located.value
        simple = scalar_type(node)
        if simple is not None:
            return simple
        if (
            isinstance(node, dict)
            and node.get("type") == "array"
            and isinstance(node.get("items"), dict)
        ):
            inner = self.type_of(node["items"], located.doc, join_pointer(located.pointer, "items"))
            return f"list[{inner}]" if inner else None
        return None

    def schema(self, schema: Any, doc: Document, pointer: str, depth: int = 0) -> None:
        """Schema examples (`example`, 3.1 `examples`) here and in the subschemas."""
        located = self.resolver.follow(schema, doc, pointer)
        key = (str(located.doc.path), located.pointer)
        if key in self._seen or depth > 30 or not isinstance(located.value, dict):
            return
        self._seen.add(key)
        node, doc, pointer = located.value, located.doc, located.pointer
        values: list[tuple[str, Any]] = []
        if "example" in node:
            values.append((join_pointer(pointer, "example"), node["example"]))
        if isinstance(node.get("examples"), list):
            values += [
                (join_pointer(pointer, "examples", i), v) for i, v in enumerate(node["examples"])
            ]
        if values:
            type_ = self.type_of(node, doc, pointer)  # already followed (maybe into another file)
            for where, value in values:
                if type_ is None:
                    self.skipped += 1
                else:
                    self.cases.append(Case(self.label(doc, where), value, type=type_))
        for sub_key in ("items", "additionalProperties", "not"):
            if isinstance(node.get(sub_key), dict):
                self.schema(node[sub_key], doc, join_pointer(pointer, sub_key), depth + 1)
        for sub_key in ("allOf", "oneOf", "anyOf"):
            for i, sub in enumerate(node.get(sub_key) or []):
                self.schema(sub, doc, join_pointer(pointer, sub_key, i), depth + 1)
        for prop, sub in (
            (node.get("properties") or {}).items()
            if isinstance(node.get("properties"), dict)
            else ()
        ):
            self.schema(sub, doc, join_pointer(pointer, "properties", prop), depth + 1)


# Run in a subprocess: import the package, decode and re-encode every case, report as JSON.
_ROUND_TRIP = r"""
import datetime, importlib, json, sys, uuid
from decimal import Decimal, InvalidOperation
from typing import Any
import msgspec

package, cases_file = sys.argv[1], sys.argv[2]
pkg = importlib.import_module(package)
importlib.import_module(package + ".client")
ops = importlib.import_module(package + "._operations")
errors = importlib.import_module(package + ".errors")
wire = importlib.import_module(package + "._wire")  # the SDK's JSON decoders and encoder
try:
    models = importlib.import_module(package + ".models")
except ModuleNotFoundError:
    models = None
namespace = {"models": models, "Decimal": Decimal, "Any": Any, "list": list, "dict": dict}

def number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        return None
    try:
        d = Decimal(str(x))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None

def moment(x):
    for parse in (datetime.datetime.fromisoformat, datetime.date.fromisoformat, uuid.UUID):
        try:
            return parse(x)
        except (TypeError, ValueError):
            pass
    return None

def same(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"{path}: keys {sorted(map(str, a))} != {sorted(map(str, b))}"
        for k in a:
            problem = same(a[k], b[k], f"{path}.{k}")
            if problem:
                return problem
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            problem = same(x, y, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if a == b and type(a) is type(b):
        return None
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if (isinstance(a, (int, float)) or isinstance(b, (int, float))) or (number(a) is not None and number(b) is not None):
        na, nb = number(a), number(b)
        if na is not None and na == nb:
            return None
    if isinstance(a, str) and isinstance(b, str):
        ma, mb = moment(a), moment(b)
        if ma is not None and ma == mb:
            return None
    return f"{path}: {a!r} != {b!r}"

report = {"checked": 0, "failures": []}
for case in json.load(open(cases_file)):
    body = json.dumps(case["example"]).encode()
    try:
        if case["op"]:
            raw = errors.RawResponse(200, {"content-type": "application/json"}, body)
            value = getattr(ops, case["op"] + "_parse")(raw)
            expected = case["example"]
            if case["envelope"]:
                expected = expected[case["envelope"][0]]
        else:
            value = wire.json_decoder(eval(case["type"], namespace)).decode(body)
            expected = case["example"]
        back = msgspec.json.decode(wire.json_encode(value))
    except Exception as exc:
        report["failures"].append(f"{case['label']}: cannot decode: {type(exc).__name__}: {exc}")
        continue
    report["checked"] += 1
    problem = same(expected, back)
    if problem:
        report["failures"].append(f"{case['label']}: round trip differs at {problem}")
print(json.dumps(report))
"""


def round_trip(generated: Generated, tmp: Path) -> dict[str, Any]:
    """Import the package in a fresh interpreter and round-trip every example of its spec."""
    cases, skipped = example_cases(generated.spec, generated.package)
    cases_file = tmp / f"{generated.package}.cases.json"
    cases_file.write_text(json.dumps([c.__dict__ for c in cases]))
    proc = subprocess.run(
        [PYTHON, "-c", _ROUND_TRIP, generated.package, str(cases_file)],
        cwd=generated.out, env={**os.environ, "PYTHONPATH": str(generated.out)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{generated.package} does not import:\n{proc.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    report["cases"], report["skipped"] = len(cases), skipped
    return report


class Package(Protocol):
    """A generated package: `out/package` (corpus.Generated, asyncapi.Generated)."""

    @property
    def out(self) -> Path: ...
    @property
    def package(self) -> str: ...


def mypy_all(packages: Sequence[Package], cache: Path) -> dict[str, list[str]]:
    """`mypy --strict` over every package in one run (one process, one cache): the error lines
    by package."""
    targets = [str(g.out / g.package) for g in packages]
    proc = subprocess.run(
        [PYTHON, "-m", "mypy", "--strict", "--cache-dir", str(cache), "--no-error-summary", *targets],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    out: dict[str, list[str]] = {g.package: [] for g in packages}
    for line in (proc.stdout + proc.stderr).splitlines():
        for g in packages:
            if line.startswith(str(g.out / g.package)) and ": error:" in line:
                out[g.package].append(line)
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not any(out.values())):
        raise AssertionError(f"mypy failed to run:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return out


def large_spec_generates_and_imports(tmp: Path, *, resources: int, min_size: int) -> None:
    """A synthetic spec (bench/synth_spec.py, every property kind) generates deterministically and
    its package imports. No timing assertions (bench/ measures): the times are printed."""
    from bench import synth_spec

    spec, again = tmp / "big.yaml", tmp / "again.yaml"
    size = synth_spec.write(spec, resources=resources, properties=10)
    assert size == spec.stat().st_size > min_size
    synth_spec.write(again, resources=resources, properties=10)
    assert again.read_bytes() == spec.read_bytes()  # deterministic
    out = tmp / "out"
    started = time.perf_counter()
    generated = generate_package(spec, out, "bigapi")
    took = time.perf_counter() - started
    assert generated.error is None, generated.error
    env = {**os.environ, "PYTHONPATH": str(out)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = "import time; t = time.perf_counter(); import bigapi; print(time.perf_counter() - t)"
    subprocess.run(
        [PYTHON, "-c", "import bigapi"], cwd=out, env=env, check=True
    )  # writes the .pyc files
    proc = subprocess.run(
        [PYTHON, "-c", script], cwd=out, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    client = (out / "bigapi" / "client.py").read_text()
    assert client.count("    def list_") >= 2 * resources
    print(
        f"\n{size // 1000} KB spec: generated in {took:.1f}s, `import bigapi` in {float(proc.stdout):.3f}s"
    )


def ruff_problems(out: Path) -> str:
    """`ruff check` and `ruff format --check` findings for a generated folder ("" when clean)."""
    found = []
    for cmd in (
        ["check", "--no-cache", "--quiet", "."],
        ["format", "--check", "--no-cache", "--quiet", "."],
    ):
        proc = subprocess.run(
            [PYTHON, "-m", "ruff", *cmd],
            cwd=out,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode != 0:
            found.append(f"ruff {cmd[0]}:\n{proc.stdout}{proc.stderr}")
    return "\n".join(found)


def generate_all(
    specs: list[Path], prefix: str, root: Path, *, lenient: bool = False
) -> dict[Path, Generated]:
    return {
        spec: generate_package(
            spec, root / package_name(spec, prefix), package_name(spec, prefix), lenient=lenient
        )
        for spec in specs
    }
