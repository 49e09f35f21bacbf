"""Unit tests of generator/validate/ on tiny fixture specs (tests/fixtures/specs/).

Spectral's part: integration/test_validate_spectral.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT
from support.validation import BROKEN, FIXTURES, problems_of, rel, run_cli

from generator import validate
from generator.cli import main as cli_main
from generator.load import load_document
from generator.problems import Problem, Severity
from generator.validate import check_examples, validate_document, validate_files

GOOD = [
    "openapi-30-good.yaml",
    "openapi-31-good.yaml",
    "asyncapi-26-good.yaml",
    "asyncapi-30-good.yaml",
]


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # problems name files relative to the working directory


def where(problems: list[Problem]) -> set[tuple[str, int | None, str]]:
    return {(p.source, p.line, p.pointer) for p in problems}


def find(problems: list[Problem], pointer: str) -> Problem:
    hits = [p for p in problems if p.pointer == pointer]
    assert hits, f"no problem at {pointer}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


# ------------------------------------------------------------------ clean documents


@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_is_clean(name: str) -> None:
    assert problems_of(name) == []


def test_examples_are_counted_across_files() -> None:
    report = check_examples(load_document(FIXTURES / "openapi-30-good.yaml"))
    # 2 parameter examples + 1 null example, the component example, the cross-file schema example
    assert (report.checked, report.problems) == (5, [])
    assert check_examples(load_document(FIXTURES / "asyncapi-26-good.yaml")).checked == 3


# ------------------------------------------------------------------ kinds and broken input


def test_swagger_2_is_refused_with_a_conversion_hint() -> None:
    [problem] = problems_of("swagger-20.yaml")
    assert problem.message == (
        "Swagger 2.0 is not supported: convert it to OpenAPI 3 first "
        "(for example `npx swagger2openapi in.yaml -o out.yaml`)"
    )
    assert (problem.pointer, problem.line, problem.severity) == ("/swagger", 1, Severity.ERROR)


@pytest.mark.parametrize(
    ("name", "line", "text"),
    [
        ("not-yaml.yaml", 3, "invalid YAML"),
        ("top-level-list.yaml", 1, "top level is a list"),
        ("empty.yaml", 1, "file is empty"),
        ("unknown-kind.yaml", 1, "not an OpenAPI or AsyncAPI document"),
    ],
)
def test_unusable_files_give_one_located_error(name: str, line: int | None, text: str) -> None:
    [problem] = problems_of(name, external=True)
    assert problem.file == rel(name)
    assert problem.line == line and text in problem.message
    assert problem.severity is Severity.ERROR


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 3000 + "]" * 3000 + "\n",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a {b: *a}\n",
    ],
    ids=["deep", "self-alias"],
)
def test_yaml_that_cannot_be_loaded_is_a_problem(tmp_path: Path, text: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    [problem] = validate_files([path], external=True)
    assert problem.source == "load" and "nests too deeply" in problem.message


def test_missing_file_is_a_problem() -> None:
    [problem] = validate_files(["no/such/spec.yaml"], external=True)
    assert problem.file == "no/such/spec.yaml" and "cannot read file" in problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.1\ninfo: {}\n", '`openapi` must be a string such as "3.0.3"'),
        ("openapi: 2.9.0\n", "unsupported OpenAPI version '2.9.0'"),
        ("asyncapi: 2.7.0\n", "unsupported AsyncAPI version '2.7.0'"),
    ],
)
def test_unsupported_versions(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    [problem] = validate_files([path], external=True)
    assert message in problem.message and problem.line == 1


def test_broken_refs_are_located_at_the_ref() -> None:
    problems = problems_of("broken-ref.yaml")
    assert {(p.line, p.pointer) for p in problems if p.source == "load"} == {
        (9, "/paths/~1a/get/responses/200/$ref"),
        (19, "/paths/~1b/get/responses/200/content/application~1json/schema/$ref"),
        (30, "/paths/~1c/get/responses/200/content/application~1json/schema/$ref"),
    }
    messages = " | ".join(p.message for p in problems)
    assert "points at nothing" in messages and "cannot read file" in messages
    assert "not-yaml.yaml:3: invalid YAML" in messages
    assert not any("could not finish" in p.message for p in problems)


@pytest.mark.parametrize(
    "text",
    [
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: [1]\ncomponents: {schemas: [1]}\n",
        "openapi: 3.0.3\ninfo: 7\npaths: {/a: {get: {responses: {'200': {$ref: 5}}}}}\n",
        (
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {parameters: 3, "
            "responses: {'200': {description: d, content: {a/b: {schema: {type: 5}, example: 1}}}}}}}\n"
        ),
        "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels: [1]\ncomponents: {messages: [1]}\n",
        (
            "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels: {a: {publish: {message: "
            "{payload: {type: {x: 1}}, examples: [{payload: 1}]}}}}\n"
        ),
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\noperations: {o: {action: sned}}\n",
    ],
)
def test_odd_shapes_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    problems = validate_files([path], external=False)
    assert problems, "an odd document must not validate clean"
    assert all(p.line is not None for p in problems), problems
    assert not any("could not finish" in p.message for p in problems), problems


# ------------------------------------------------------------------ structure


def test_openapi_schema_errors_are_located() -> None:
    problems = problems_of("openapi-30-bad-structure.yaml")
    assert where(problems) == {
        ("openapi", 11, "/paths/~1market.last/get/parameters/0/in"),
        ("openapi", 15, "/paths/~1market.last/get/responses/200"),
    }
    assert find(problems, "/paths/~1market.last/get/parameters/0/in").message == (
        "'body' is not one of ['path', 'query', 'header', 'cookie']"
    )
    assert (
        "'description' is a required property"
        in find(problems, "/paths/~1market.last/get/responses/200").message
    )
    assert all(p.file == rel("openapi-30-bad-structure.yaml") for p in problems)


def test_openapi_semantic_errors_are_located() -> None:
    problems = problems_of("openapi-30-bad-semantic.yaml")
    assert where(problems) == {
        ("openapi", 8, "/paths/~1order~1{id}/get"),
        ("openapi", 18, "/paths/~1order~1{id}/post/operationId"),
        (
            "openapi",
            26,
            "/paths/~1order~1{id}/post/responses/200/content/application~1json/schema/default",
        ),
    }
    assert "Path parameter 'id'" in find(problems, "/paths/~1order~1{id}/get").message
    assert "is not unique" in find(problems, "/paths/~1order~1{id}/post/operationId").message


@pytest.mark.parametrize("asyncapi", [None, "asyncapi-26-bad.yaml", "asyncapi-26-good.yaml"])
def test_generate_reports_the_late_semantic_pass_as_validation_does(
    tmp_path: Path, asyncapi: str | None
) -> None:
    """`generate` runs openapi-spec-validator's semantic pass once the models are on their way to
    the worker. It must still stop the run with exactly the errors validation gives, before
    anything is written, even when the AsyncAPI document fails too."""
    from generator.pipeline import generate, load_and_check
    from generator.problems import SpecError

    spec = str(FIXTURES / "openapi-30-bad-semantic.yaml")
    with pytest.raises(SpecError) as want:
        load_and_check(spec, False, "openapi")
    out = tmp_path / "out"
    with pytest.raises(SpecError) as got:
        generate(
            openapi=spec,
            asyncapi=str(FIXTURES / asyncapi) if asyncapi else None,
            out=out,
            package="p",
        )
    assert got.value.problems == want.value.problems
    assert any("is not unique" in p.message for p in got.value.problems)
    assert not out.exists()


def test_openapi_31_unexpected_property_points_at_the_key(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {}\n  oops: 1\n")
    [problem] = validate_files([path], external=False)
    assert (problem.pointer, problem.line, problem.message) == (
        "/paths/oops",
        5,
        "unexpected property 'oops'",
    )


def test_asyncapi_errors_are_located() -> None:
    problems = problems_of("asyncapi-26-bad.yaml")
    assert where(problems) == {
        ("rules", 6, "/x-rpc"),
        ("rules", 7, "/x-frames/binary"),
        ("rules", 22, "/components/messages/Ping/x-rpc-method/kind"),
        ("rules", 22, "/components/messages/Ping/x-rpc-method/reply"),
        ("rules", 30, "/components/messages/Ping/examples/0/payload/id"),
        ("asyncapi", 36, "/components/messages/Pong/exampels"),
        ("policy", 32, "/components/messages/Pong"),
        ("policy", 38, "/components/messages/Quiet"),
        ("rules", 38, "/components/messages/Quiet"),
    }
    assert (
        "unexpected property 'exampels'"
        in find(problems, "/components/messages/Pong/exampels").message
    )
    quiet = [p.message for p in problems if p.pointer == "/components/messages/Quiet"]
    assert sorted(quiet) == [
        "message has no examples",
        "message has no x-rpc-method (required on every message of an x-rpc API)",
    ]


def test_asyncapi_30_schema_is_used(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
        "operations:\n  o:\n    action: sned\n    channel: {$ref: '#/channels/c'}\n"
        "channels: {c: {address: /}}\n"
    )
    problems = validate_files([path], external=False)
    assert ("asyncapi", 5, "/operations/o/action") in where(problems)


def test_compiled_pre_check_never_passes_what_jsonschema_rejects(tmp_path: Path) -> None:
    """The structural pass asks jsonschema-rs first and skips jsonschema when it says valid, so
    it must agree with jsonschema on every document: the fixtures, the real specs, and an empty
    `enum`, which only the AsyncAPI schema's own copy of the Draft 7 meta-schema forbids."""
    from generator.validate import detect_kind, structure

    empty_enum = tmp_path / "enum.yaml"
    empty_enum.write_text(
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
        "components:\n  schemas:\n    A: {type: string, enum: []}\n"
    )
    paths = [*sorted(FIXTURES.glob("*-*-*.yaml")), *sorted((ROOT / "specs").glob("*.yaml"))]
    checked = 0
    for path in [*paths, empty_enum]:
        doc = load_document(path)
        kind = detect_kind(doc)
        if isinstance(kind, Problem):
            continue
        if kind.family == "openapi":
            full, fast = structure._openapi_schema_validators(kind.version)
        else:
            full, fast = (
                structure.asyncapi_validator(kind.version),
                structure._asyncapi_compiled(kind.version),
            )
        assert fast is not None, f"no compiled validator for {kind}"
        assert fast.is_valid(doc.data) == (not list(full.iter_errors(doc.data))), path.name
        checked += 1
    assert checked >= 9
    problems = validate_files([empty_enum], external=False)
    assert ("asyncapi", 5, "/components/schemas/A/enum") in where(problems)


@pytest.mark.parametrize(
    "schema",
    [
        "{type: string, pattern: '(['}",  # a regex the meta-schema's format checker rejects
        "{type: object, properties: {x: {type: string, pattern: 'a{2,1}'}}}",  # nested
        "{type: 5}",
        "{type: object, properties: {x: {minLength: -1}}}",
        "{type: object, required: []}",  # Draft 4: required needs an item
        "{type: string, pattern: '^[a-z]+$', example: abc}",  # valid: no problem
    ],
)
def test_openapi_30_meta_check_fast_path_reports_what_check_schema_reports(
    tmp_path: Path, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The semantic pass checks each schema against the meta-schema through jsonschema-rs and a
    regex check first; anything doubtful goes to openapi-spec-validator's own `check_schema`."""
    from generator.validate import structure

    spec = tmp_path / "s.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        f"components:\n  schemas:\n    A: {schema}\n"
    )

    def run() -> list[tuple[int | None, str, str]]:
        structure._openapi_validator_class.cache_clear()
        found = validate_files([spec], external=False)
        return sorted((p.line, p.pointer, p.message) for p in found if p.source == "openapi")

    fast = run()
    monkeypatch.setattr(structure, "_fast_meta", lambda cls: cls)
    assert run() == fast
    structure._openapi_validator_class.cache_clear()
    assert bool(fast) == ("abc" not in schema)


# ------------------------------------------------------------------ our rules


def test_example_mismatches_are_reported_at_the_example() -> None:
    problems = problems_of("openapi-30-bad-example.yaml")
    content = "/paths/~1market.kline/get/responses/200/content/application~1json"
    assert where(problems) == {
        ("rules", 14, "/paths/~1market.kline/get/parameters/0/example"),
        ("rules", 24, f"{content}/examples/ok/value/open"),
        ("rules", 34, "/components/schemas/Kline/properties/open/example"),
        ("rules", 38, "/components/examples/BadKline/value/time"),  # reached through $ref
    }
    message = find(problems, f"{content}/examples/ok/value/open").message
    assert "1.5 is not of type 'string'" in message
    assert "openapi-30-bad-example.yaml#/components/schemas/Kline" in message
    # `volume: null` is fine: the schema says `nullable: true`


def test_example_in_another_file_is_reported_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("Price:\n  type: string\n  example: 12\n")
    main = tmp_path / "main.yaml"
    main.write_text(
        (FIXTURES / "openapi-30-good.yaml").read_text().replace("./common.yaml", "./other.yaml")
    )
    problems = validate_files([main], external=False)
    [problem] = problems
    assert Path(problem.file).resolve() == (tmp_path / "other.yaml").resolve()
    assert (problem.pointer, problem.line) == ("/Price/example", 3)
    assert "12 is not of type 'string'" in problem.message


def test_openapi_30_nullable_and_exclusive_bounds(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    A: {type: integer, nullable: true, example: null}\n"
        "    B: {type: integer, example: null}\n"
        "    C: {type: number, minimum: 0, exclusiveMinimum: true, example: 0}\n"
        "    D: {type: string, format: decimal, example: '1.5'}\n"
        "    E: {type: string, enum: [a, b], nullable: true, example: null}\n"
        "    F: {nullable: true, allOf: [{type: string}], example: null}\n"
    )
    problems = validate_files([path], external=False)
    assert {p.pointer for p in problems} == {
        "/components/schemas/B/example",
        "/components/schemas/C/example",
        "/components/schemas/F/nullable",  # meaningless without `type` (OpenAPI 3.0.3)
        "/components/schemas/F/example",
    }


def test_missing_operation_id_and_response_example() -> None:
    problems = problems_of("openapi-30-no-operationid.yaml")
    assert where(problems) == {
        ("policy", 8, "/paths/~1server.time/get"),
        ("policy", 10, "/paths/~1server.time/get/responses"),
    }
    assert (
        "GET /server.time has no operationId" in find(problems, "/paths/~1server.time/get").message
    )
    # beyond the standard: warnings, errors with --strict (what `make validate` passes)
    assert all(p.severity is Severity.WARNING for p in problems)
    strict = problems_of("openapi-30-no-operationid.yaml", strict=True)
    assert where(strict) == where(problems)
    assert all(p.severity is Severity.ERROR for p in strict)
    doc = load_document(FIXTURES / "openapi-30-no-operationid.yaml")
    assert validate.validate_document(doc, policy=False) == []


def test_lenient_turns_every_error_into_a_warning() -> None:
    # with Spectral's findings: integration/test_validate_spectral.py
    for name, external in [
        ("openapi-30-bad-structure.yaml", False),
        ("asyncapi-26-bad.yaml", False),
        ("swagger-20.yaml", False),
    ]:
        strict = problems_of(name, external=external, strict=True)
        lenient = problems_of(name, external=external, lenient=True)
        assert strict and all(p.severity is Severity.ERROR for p in strict)
        assert all(p.severity is Severity.WARNING for p in lenient)
        key = [(p.file, p.line, p.pointer, p.message, p.source) for p in strict]
        assert key == [(p.file, p.line, p.pointer, p.message, p.source) for p in lenient]


def test_validate_document_is_python_only_and_lenient_aware() -> None:
    doc = load_document(FIXTURES / "openapi-30-no-operationid.yaml")
    assert {p.severity for p in validate_document(doc, strict=True)} == {Severity.ERROR}
    assert {p.severity for p in validate_document(doc)} == {Severity.WARNING}  # policy only
    assert {p.severity for p in validate_document(doc, lenient=True)} == {Severity.WARNING}
    assert not any(p.source.startswith("spectral") for p in validate_document(doc))


def test_extension_shapes() -> None:
    problems = problems_of("openapi-30-bad-extensions.yaml")
    op = "/paths/~1order.cancel/post"
    assert where(problems) == {
        ("rules", 5, "/x-rate-limit/requests"),
        ("rules", 7, "/x-error-codes/10/name"),
        ("rules", 8, "/x-quirks"),
        ("rules", 13, f"{op}/x-signed"),
        ("rules", 14, f"{op}/x-permission"),
        ("rules", 15, f"{op}/x-retry-safe"),
        ("rules", 28, "/components/schemas/Kline/x-positional/0"),  # proposed extensions
        ("rules", 32, "/components/schemas/Loose/x-also-number"),
    }
    assert find(problems, f"{op}/x-permission").message == (
        "x-permission: 'admin' is not one of ['none', 'read', 'trade', 'withdraw']"
    )


def test_problems_are_deduplicated_and_sorted() -> None:
    once = problems_of("openapi-30-bad-example.yaml")
    twice = validate_files([rel("openapi-30-bad-example.yaml")] * 2, external=False)
    assert once == twice
    assert [p.line for p in once] == sorted(p.line or 0 for p in once)


# ------------------------------------------------------------------ Spectral


def test_missing_spectral_says_run_make_deps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(validate.spectral, "spectral_bin", lambda near=None: tmp_path / "spectral")
    [problem] = problems_of("openapi-30-good.yaml", external=True)
    assert "run `make deps`" in problem.message and problem.source == "spectral"
    assert problems_of("openapi-30-good.yaml", external=False) == []


# ------------------------------------------------------------------ command line


def test_cli_reports_located_errors_and_exits_2() -> None:
    proc = run_cli("--no-external", rel("openapi-30-bad-structure.yaml"))
    assert proc.returncode == 2, proc.stderr
    assert (
        f"{rel('openapi-30-bad-structure.yaml')}:15: error: /paths/~1market.last/get/responses/200: "
        "'description' is a required property [openapi]"
    ) in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("name", BROKEN)
def test_cli_never_shows_a_traceback(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (`cli.main`); with Spectral and in a process: integration/test_validate_spectral.py."""
    code = cli_main(["validate", "--no-external", rel(name)])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{rel(name)}" in err and "error" in err
    assert "Traceback" not in err + out


def test_signature_shapes_and_placeholders() -> None:
    """x-signature: the schema (secret), then what the schema cannot say (placeholders known
    where used, the secret never sent, the signature and every signed clock value sent)."""
    problems = problems_of("openapi-30-bad-signature.yaml")
    assert {(p.line, p.pointer, p.message) for p in problems} == {
        (6, "/x-signature/secret", "x-signature: 'hex' is not one of ['raw', 'base64']"),
        (5, "/x-signature/payload", "{bodyy}: unknown placeholder here (allowed: " + (
            "?query, api_key, body, canonical, inner, method, nonce, passphrase, path, query, "
            "secret_key, timestamp, url_path)")),
        (10, "/x-signature/parameters/key", ("{secret_key}: the secret is never sent here "
            "(allowed: api_key, inner, nonce, passphrase, signature, timestamp)")),
        (11, "/x-signature/parameters/early", "a parameter signed over cannot use a digest"),
        (4, "/x-signature", "no header or parameter carries {signature}"),
        (4, "/x-signature", "{nonce} is signed but no header or parameter sends it"),
        (4, "/x-signature", "{timestamp} is signed but no header or parameter sends it"),
    }  # fmt: skip
    assert all(p.source == "rules" for p in problems)
