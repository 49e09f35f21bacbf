"""Small specs, one per awkward corner of OpenAPI (tests/fixtures/edge/), through the generator.

Every edge spec generates a package that imports, lints, passes `mypy --strict` and round-trips
its examples (the helpers of test_corpus.py). Then, per corner, what the generated code does:
unions (tagged with a discriminator, merged without), nullable vs absent, maps, recursion, open
enums, awkward names, and real calls through `Client`/`AsyncClient` against the generic mock
(generator/mock/rest.py) on a loopback port, asserting what the server received: path, query,
header and cookie parameters; JSON, form, multipart and text bodies; apiKey (header, query,
cookie), bearer and basic auth. Finally the command line: --lenient, Swagger 2.0, documents we
do not support, --templates, and a 1 MB spec (tests/bigspec.py).
"""

from __future__ import annotations

import base64
import importlib
import os
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from bigspec import write_big_spec
from conftest import REST_SPEC, ROOT
from test_corpus import (
    PYTHON,
    Generated,
    example_cases,
    generate_package,
    mypy_all,
    package_name,
    round_trip,
    ruff_problems,
)

from generator.cli import main as cli_main
from generator.mock import RestMock

EDGE = ROOT / "tests" / "fixtures" / "edge"
EDGE_SPECS = [
    EDGE / "composition.yaml",
    EDGE / "types31.yaml",
    EDGE / "enums.yaml",
    EDGE / "names.yaml",
    EDGE / "params.yaml",
    EDGE / "multifile" / "root.yaml",
]
IDS = [p.relative_to(EDGE).as_posix() for p in EDGE_SPECS]
LOCATED = r"^(?P<file>[^:\n]+)(?::(?P<line>\d+))?: (?P<severity>error|warning): (?P<pointer>/[^\n]*?): (?P<message>.+) \[[\w:-]+\]$"


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    root = tmp_path_factory.mktemp("edge")
    out = {}
    for spec, id_ in zip(EDGE_SPECS, IDS, strict=True):
        package = package_name(spec, "edge") if spec.parent == EDGE else "edge_multifile"
        out[id_] = generate_package(spec, root / package, package)
    return out


@pytest.fixture(scope="module")
def edge_mypy(
    edge: dict[str, Generated], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    return mypy_all(
        [g for g in edge.values() if g.error is None], tmp_path_factory.mktemp("edge-mypy")
    )


@pytest.fixture(scope="module")
def sdk(edge: dict[str, Generated]) -> Iterator[dict[str, ModuleType]]:
    """The generated packages, imported in this process (their names are unique)."""
    paths = [str(g.out) for g in edge.values() if g.error is None]
    sys.path[:0] = paths
    try:
        yield {
            id_: importlib.import_module(g.package) for id_, g in edge.items() if g.error is None
        }
    finally:
        for p in paths:
            sys.path.remove(p)


def list_of(item: Any) -> Any:
    return types.GenericAlias(list, (item,))


def models_of(sdk: dict[str, ModuleType], id_: str) -> Any:
    return importlib.import_module(sdk[id_].__name__ + ".models")


# --------------------------------------------------------------------------------------------
# every edge spec: generates, lints, type-checks, imports, round-trips


@pytest.mark.parametrize("id_", IDS)
def test_edge_spec_generates_and_lints(edge: dict[str, Generated], id_: str) -> None:
    generated = edge[id_]
    assert generated.error is None, generated.error
    assert ruff_problems(generated.out) == ""


@pytest.mark.parametrize("id_", IDS)
def test_edge_spec_type_checks(
    edge: dict[str, Generated], edge_mypy: dict[str, list[str]], id_: str
) -> None:
    assert edge_mypy[edge[id_].package] == [], "\n".join(edge_mypy[edge[id_].package])


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
# unions, nullable, maps, recursion


def test_discriminated_union_is_a_msgspec_tagged_union(sdk: dict[str, ModuleType]) -> None:
    models = models_of(sdk, "composition.yaml")
    pets = msgspec.json.decode(
        b'[{"petType":"dog","name":"Rex","bark":"loud"},{"petType":"cat","name":"Tom"},'
        b'{"petType":"lizard","name":"Liz","nickname":null}]',
        type=list_of(models.Pet),
    )
    assert [type(p).__name__ for p in pets] == ["Dog", "Cat", "Lizard"]
    assert models.Dog.__struct_config__.tag_field == "petType"
    assert msgspec.to_builtins(pets[1]) == {"petType": "cat", "name": "Tom"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"petType":"cow","name":"x"}', type=models.Pet)


def test_discriminator_in_openapi_31_with_const_tags(sdk: dict[str, ModuleType]) -> None:
    models = models_of(sdk, "types31.yaml")
    event = msgspec.json.decode(b'{"type":"key","key":"Enter"}', type=models.Event)
    assert isinstance(event, models.Key) and event.key == "Enter"


def test_untagged_object_union_is_merged_into_one_struct(sdk: dict[str, ModuleType]) -> None:
    models = models_of(sdk, "composition.yaml")
    shapes = msgspec.json.decode(
        b'[{"radius":1},{"width":2,"height":3}]', type=list_of(models.Shape)
    )
    assert shapes[0].radius == 1 and shapes[1].width == 2 and shapes[0].width is msgspec.UNSET


def test_nullable_keeps_null_apart_from_absent(sdk: dict[str, ModuleType]) -> None:
    for id_, model, field in (
        ("composition.yaml", "Lizard", "nickname"),
        ("types31.yaml", "Record", "note"),
    ):
        models = models_of(sdk, id_)
        cls = getattr(models, model)
        bases: dict[str, dict[str, Any]] = {
            "composition.yaml": {"petType": "lizard", "name": "x"},
            "types31.yaml": {"id": 1, "kind": "record", "event": {"type": "key", "key": "k"}},
        }
        base = bases[id_]
        absent = msgspec.convert(base, cls)
        null = msgspec.convert({**base, field: None}, cls)
        assert getattr(absent, field) is msgspec.UNSET and getattr(null, field) is None
        assert field not in msgspec.to_builtins(absent) and msgspec.to_builtins(null)[field] is None


def test_maps_and_recursive_schemas(sdk: dict[str, ModuleType]) -> None:
    models = models_of(sdk, "composition.yaml")
    inv = msgspec.json.decode(
        b'{"counts":{"a":1},"labels":{"x":{"text":"t"}},"price":"0.10"}', type=models.Inventory
    )
    assert inv.counts == {"a": 1} and inv.labels["x"].text == "t" and str(inv.price) == "0.10"
    tree = msgspec.json.decode(
        b'{"name":"r","children":[{"name":"c","children":[{"name":"g"}]}]}', type=models.Node
    )
    assert tree.children[0].children[0].name == "g"


# --------------------------------------------------------------------------------------------
# enums stay open


def test_enums_document_their_values_and_accept_unknown_ones(sdk: dict[str, ModuleType]) -> None:
    import typing

    models = models_of(sdk, "enums.yaml")
    literal, plain = typing.get_args(typing.get_args(models.State)[0])
    assert (
        "in progress" in typing.get_args(literal)
        and "" in typing.get_args(literal)
        and plain is str
    )
    things = sdk["enums.yaml"]._operations.list_things_parse(
        sdk["enums.yaml"].errors.RawResponse(
            200, {}, b'[{"state":"brand-new","level":42,"label":"zzz","mixed":[1]}]'
        )
    )
    assert (things[0].state, things[0].level, things[0].label) == ("brand-new", 42, "zzz")


def test_request_enums_are_checked_before_sending(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["enums.yaml"]
    with (
        pkg.Client(base_url="http://127.0.0.1:9") as client,
        pytest.raises(pkg.errors.ParameterError) as err,
    ):
        client.list_things(state="unknown")  # type: ignore[arg-type]
    assert "must be one of" in str(err.value)


# --------------------------------------------------------------------------------------------
# names


def test_awkward_names_become_valid_python(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["names.yaml"]
    models = models_of(sdk, "names.yaml")
    for method in ("import_", "list_", "do_the_thing", "close_", "str_", "int_", "models_", "get"):
        assert callable(getattr(pkg.Client, method)), method
    obj = msgspec.json.decode(
        b'{"class":"c","from":1,"my-field":"m","with space":"w","":"e","1st":"f"}',
        type=models.Class,
    )
    assert (obj.class_, obj.from_, obj.my_field, obj.with_space) == ("c", 1, "m", "w")
    assert msgspec.to_builtins(obj)["my-field"] == "m"
    assert models.StructModel is not msgspec.Struct and hasattr(models, "Nandu")


def test_awkward_parameter_names_are_sent_by_their_wire_names(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["names.yaml"]
    with RestMock(EDGE / "names.yaml") as mock, pkg.Client(base_url=mock.url) as client:
        client.import_(
            from_="x/y",
            self_="s",
            type="t",
            req_="r",
            timeout_=5,
            my_param="a",
            my_param2="b",
            with_space="w",
        )
        got = mock.requests[-1]
    assert got.path_params == {"from": "x/y"}
    assert dict(got.query) == {
        "self": "s",
        "type": "t",
        "req": "r",
        "timeout": "5",
        "my-param": "a",
        "my_param": "b",
        "with space": "w",
    }


def test_operations_without_operation_id_are_named_with_a_warning(
    edge: dict[str, Generated], sdk: dict[str, ModuleType]
) -> None:
    warnings = [str(w) for w in edge["params.yaml"].warnings]
    assert any(
        "/paths/~1cookie-key/get: no operationId: named it 'get_cookie_key'" in w for w in warnings
    )
    assert callable(sdk["params.yaml"].Client.get_cookie_key)


# --------------------------------------------------------------------------------------------
# calls against the mock: parameters, bodies, auth


@pytest.fixture
def params_mock() -> Iterator[RestMock]:
    with RestMock(EDGE / "params.yaml") as mock:
        yield mock


def test_path_query_header_and_cookie_parameters(
    sdk: dict[str, ModuleType], params_mock: RestMock
) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(api_key="KEY", base_url=params_mock.url) as client:
        part = client.get_part(
            item_id=7,
            part="a b/c",
            limit=5,
            x_request_id="rid-1",
            with_=["x", "y"],
            session="s1",
            mode="slow mode",
        )
    assert (part.id, part.name) == (1, "bolt")
    [got] = params_mock.requests
    assert got.path == "/v1/items/7/parts/a%20b%2Fc"
    assert got.path_params == {"item-id": "7", "part": "a b/c"}
    assert got.query == (("limit", "5"), ("with", "x"), ("with", "y"), ("mode", "slow mode"))
    assert got.headers["x-request-id"] == "rid-1" and got.headers["x-api-key"] == "KEY"
    assert got.cookies == {"session": "s1"}


def test_mock_checks_required_parameters_where_the_spec_puts_them(params_mock: RestMock) -> None:
    """Path parameters come from the URL (the mock used to report them missing); a missing header is."""
    import httpx

    url = params_mock.url + "/items/7/parts/p?limit=1"
    assert httpx.get(url, headers={"X-Request-Id": "r"}).status_code == 200
    refused = httpx.get(url)
    assert refused.status_code == 400 and "X-Request-Id" in refused.text


def test_arguments_are_checked_before_any_io(
    sdk: dict[str, ModuleType], params_mock: RestMock
) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(api_key="KEY", base_url=params_mock.url) as client:
        with pytest.raises(pkg.errors.ParameterError, match="limit"):
            client.get_part(item_id=1, part="p", limit=0, x_request_id="r")
        with pytest.raises(pkg.errors.ParameterError, match="name"):
            client.create_item(name="")
    assert params_mock.requests == []


def test_json_bodies_flattened_and_whole(sdk: dict[str, ModuleType], params_mock: RestMock) -> None:
    pkg = sdk["params.yaml"]
    models = models_of(sdk, "params.yaml")
    with pkg.Client(api_key="KEY", base_url=params_mock.url) as client:
        created = client.create_item(
            name="n", price=1.5, dimensions=models.CreateItemDimensions(width=2)
        )
        assert created.name == "created"
        client.put_items(body=[models.NewItem(name="a"), models.NewItem(name="b", price=2)])
    first, second = params_mock.requests
    assert first.headers["content-type"] == "application/json"
    assert first.json == {"name": "n", "price": 1.5, "dimensions": {"width": 2}}
    assert second.method == "PUT" and second.json == [{"name": "a"}, {"name": "b", "price": 2}]


def test_form_multipart_and_text_bodies(sdk: dict[str, ModuleType], params_mock: RestMock) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(api_key="KEY", secret_key="PW", base_url=params_mock.url) as client:
        assert client.submit_form(name="f", count=2, flags=["a", "b"]).ok is True
        assert client.upload(file=b"\x00\x01abc", note="hi").size == 3
        assert client.send_text(body="hello") == b"hello"
    form, multipart, text = params_mock.requests
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form.body == b"name=f&count=2&flags=a&flags=b"
    assert multipart.headers["content-type"].startswith("multipart/form-data")
    assert multipart.parts == (("file", b"\x00\x01abc"), ("note", "hi"))
    assert text.body == b"hello" and text.headers["content-type"] == "text/plain"


def test_auth_placement(sdk: dict[str, ModuleType], params_mock: RestMock) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(api_key="KEY", secret_key="PW", base_url=params_mock.url) as client:
        client.submit_form(name="f")  # security: [] -> no credentials sent
        client.upload(file=b"x")  # bearer
        client.send_text(body="t")  # basic (optional)
        assert client.query_key() == [1, 2]  # apiKey in query
        assert client.get_cookie_key() == "fine"  # apiKey in a cookie
    none, bearer, basic, query, cookie = params_mock.requests
    assert "x-api-key" not in none.headers and "authorization" not in none.headers
    assert bearer.headers["authorization"] == "Bearer KEY"
    assert basic.headers["authorization"] == "Basic " + base64.b64encode(b"KEY:PW").decode()
    assert query.query == (("api_key", "KEY"),)
    assert cookie.cookies == {"token": "KEY"}


def test_missing_credentials_fail_early_unless_auth_is_optional(
    sdk: dict[str, ModuleType], params_mock: RestMock
) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(base_url=params_mock.url) as client:
        with pytest.raises(pkg.errors.MissingCredentials):
            client.query_key()
        assert client.send_text(body="anonymous") == b"hello"  # security: [{}, {basicAuth: []}]
    [sent] = params_mock.requests
    assert "authorization" not in sent.headers


async def test_async_client_sends_the_same_request(
    sdk: dict[str, ModuleType], params_mock: RestMock
) -> None:
    pkg = sdk["params.yaml"]
    async with pkg.AsyncClient(api_key="KEY", base_url=params_mock.url) as client:
        part = await client.get_part(item_id=3, part="p", limit=1, x_request_id="r", session="z")
    assert part.name == "bolt"
    [got] = params_mock.requests
    assert got.path_params == {"item-id": "3", "part": "p"} and got.cookies == {"session": "z"}


def test_multi_file_spec_decodes_across_files(sdk: dict[str, ModuleType]) -> None:
    pkg = sdk["multifile/root.yaml"]
    with (
        RestMock(EDGE / "multifile" / "root.yaml") as mock,
        pkg.Client(base_url=mock.url) as client,
    ):
        order = client.get_order(order_id="o-1")
        customers = client.list_customers(page=2)
        assert mock.requests[-1].query == (("page", "2"),)
    assert order.customer.address.city == "Oslo" and order.lines[0].qty == 2
    assert customers[0].name == "Bo"


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
    tmp_path: Path, text: str, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    for lenient in ([], ["--lenient"]):
        proc = subprocess.run(
            [PYTHON, "-m", "generator", "generate", "--openapi", str(spec), "--out", str(tmp_path / "out"),
             "--package", "x", *lenient],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if "https:" in message and lenient:  # lenient: a warning, and the operation is left out
            assert proc.returncode == 0 and "is remote, which is not supported" in proc.stderr, (
                proc.stderr
            )
            continue
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
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


def test_a_one_megabyte_spec_generates_and_imports(tmp_path: Path) -> None:
    """No timing assertions (bench/ measures): the times are printed for the record."""
    spec = write_big_spec(tmp_path / "big.yaml")
    assert spec.stat().st_size > 900_000
    out = tmp_path / "out"
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
    assert client.count("    def list_") >= 2 * 220
    print(f"\n1 MB spec: generated in {took:.1f}s, `import bigapi` in {float(proc.stdout):.3f}s")
