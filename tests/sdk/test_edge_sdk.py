"""The packages generated from the edge specs (tests/fixtures/edge/, the `edge` fixture of
tests/conftest.py), per awkward corner of OpenAPI: unions (tagged with a discriminator, merged
without), nullable vs absent, maps, recursion, open enums, awkward names, and real calls through
`Client`/`AsyncClient` against the generic mock (generator/mock/rest.py) on a loopback port, asserting
what the server received: path, query, header and cookie parameters; JSON, form, multipart and
text bodies; apiKey (header, query, cookie), bearer and basic auth.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from support import ROOT
from support.corpus import Generated, generate_package
from support.edge import EDGE

from generator.mock import RestMock


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


def test_property_names_msgspec_cannot_carry_keep_their_wire_names_on_the_wire(
    tmp_path: Path,
) -> None:
    """tests/fixtures/realworld/odd-names.yaml: names with `"`, `\\` or a tab, decoded from the
    mock's answer and sent in a JSON body (nested models too) by their wire names."""
    spec = ROOT / "tests" / "fixtures" / "realworld" / "odd-names.yaml"
    generated = generate_package(spec, tmp_path, "odd_wire_names")
    assert generated.error is None and generated.warnings == [], generated.error
    sys.path.insert(0, str(tmp_path))
    try:
        pkg = importlib.import_module("odd_wire_names")
        models = importlib.import_module("odd_wire_names.models")
    finally:
        sys.path.remove(str(tmp_path))
    with RestMock(spec) as mock, pkg.Client(base_url=mock.url) as client:
        option = client.list_options(option_kind="k")
        leg = models.Option(option_type__="PUT", field__1="q", tab_key="t")
        placed = client.place_option(side="BUY", legs=[leg, {'optionType"': "CALL"}])
        listed, sent = mock.requests
    assert (option.option_type__, option.strike_price, option.field_, option.field__1) == (
        "CALL", "100", "x", "q",
    )  # fmt: skip
    assert dict(listed.query) == {'option"Kind': "k"}
    assert sent.json == {
        'side"': "BUY",
        "legs": [{'optionType"': "PUT", '"': "q", "tab\tkey": "t"}, {'optionType"': "CALL"}],
    }
    assert (placed.id_, placed.legs[0].option_type__, placed.legs[0].tab_key) == (7, "PUT", "\t")
    # names carried by stand-ins are declared fields, not unknown keys
    assert option.model_extra == {} and placed.model_extra == placed.legs[0].model_extra == {}


def test_operations_without_operation_id_are_named_with_a_warning(
    edge: dict[str, Generated], sdk: dict[str, ModuleType]
) -> None:
    warnings = [str(w) for w in edge["params.yaml"].warnings]
    [line] = [w for w in warnings if "/paths/~1cookie-key/get:" in w]  # reported once
    assert line.endswith(
        "/paths/~1cookie-key/get: GET /cookie-key has no operationId: "
        "the method is named 'get_cookie_key' [policy:operation-id]"
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
    with pkg.Client(api_key="KEY", token="TOK", base_url=params_mock.url) as client:
        assert client.submit_form(name="f", count=2, flags=["a", "b"]).ok is True
        assert client.upload(file=b"\x00\x01abc", note="hi").size == 3
        assert client.send_text(body="hello") == "hello"  # text/plain with a string schema: decoded
    form, multipart, text = params_mock.requests
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form.body == b"name=f&count=2&flags=a&flags=b"
    assert multipart.headers["content-type"].startswith("multipart/form-data")
    assert multipart.parts == (("file", b"\x00\x01abc"), ("note", "hi"))
    assert text.body == b"hello" and text.headers["content-type"] == "text/plain"


def test_auth_placement(sdk: dict[str, ModuleType], params_mock: RestMock) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(
        api_key="KEY",
        query_key="QK",  # a second apiKey scheme: its own parameter, named after the scheme
        cookie_key="CK",
        token="TOK",
        username="U",
        password="PW",
        base_url=params_mock.url,
    ) as client:
        client.submit_form(name="f")  # security: [] -> no credentials sent
        client.upload(file=b"x")  # bearer
        client.send_text(body="t")  # basic (optional)
        assert client.query_key() == [1, 2]  # apiKey in query
        assert client.get_cookie_key() == "fine"  # apiKey in a cookie
    none, bearer, basic, query, cookie = params_mock.requests
    assert "x-api-key" not in none.headers and "authorization" not in none.headers
    assert bearer.headers["authorization"] == "Bearer TOK"
    assert basic.headers["authorization"] == "Basic " + base64.b64encode(b"U:PW").decode()
    assert query.query == (("api_key", "QK"),) and "x-api-key" not in query.headers
    assert cookie.cookies == {"token": "CK"}


def test_missing_credentials_fail_early_unless_auth_is_optional(
    sdk: dict[str, ModuleType], params_mock: RestMock
) -> None:
    pkg = sdk["params.yaml"]
    with pkg.Client(base_url=params_mock.url) as client:
        with pytest.raises(pkg.errors.MissingCredentials):
            client.query_key()
        assert client.send_text(body="anonymous") == "hello"  # security: [{}, {basicAuth: []}]
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
# setup and credentials (auth.yaml: no servers, every kind of security scheme)


@pytest.fixture
def auth_mock() -> Iterator[RestMock]:
    with RestMock(EDGE / "auth.yaml") as mock:
        yield mock


def test_no_servers_makes_base_url_required(
    sdk: dict[str, ModuleType], auth_mock: RestMock
) -> None:
    import inspect

    pkg = sdk["auth.yaml"]
    for cls in (pkg.Client, pkg.AsyncClient):
        base_url = inspect.signature(cls).parameters["base_url"]
        assert base_url.default is inspect.Parameter.empty
        for missing in ("", None):
            with pytest.raises(pkg.errors.ParameterError, match="base_url.*no servers"):
                cls(base_url=missing)
    with pkg.Client(auth_mock.url) as client:
        assert client.get_public() == "open"
    assert [r.path for r in auth_mock.requests] == ["/public"]


def test_missing_credential_names_the_method_and_the_scheme(
    sdk: dict[str, ModuleType], auth_mock: RestMock
) -> None:
    pkg = sdk["auth.yaml"]
    with (
        pkg.Client(auth_mock.url) as client,
        pytest.raises(pkg.errors.MissingCredentials) as caught,
    ):
        client.get_v1_indexes()  # no operationId: GET /v1/indexes
    err = caught.value
    assert (err.operation, err.scheme) == ("get_v1_indexes", "headerKey")
    assert "get_v1_indexes" in str(err) and "'headerKey'" in str(err) and "/" not in str(err)
    assert auth_mock.requests == []


def test_every_scheme_of_the_document_works_at_once(
    sdk: dict[str, ModuleType], auth_mock: RestMock
) -> None:
    import inspect

    pkg = sdk["auth.yaml"]
    params = list(inspect.signature(pkg.Client).parameters)
    assert params[:5] == ["base_url", "api_key", "token", "username", "password"]
    assert "secret_key" not in params  # no scheme and no x-signature needs one
    basic = "Basic " + base64.b64encode(b"U:PW").decode()
    with pkg.Client(
        auth_mock.url, api_key="KEY", token="TOK", username="U", password="PW"
    ) as client:
        assert client.get_basic() == "basic"
        assert client.get_bearer() == "bearer"
        assert client.get_oauth() == "oauth"  # oauth2: the caller's access token, as a bearer
        assert client.get_both() == "both"  # one requirement naming two schemes: both sent
        assert client.get_either() == "either"  # the first requirement the client can meet
    sent = {r.path: r.headers for r in auth_mock.requests}
    assert sent["/basic"]["authorization"] == basic and "x-api-key" not in sent["/basic"]
    assert sent["/bearer"]["authorization"] == "Bearer TOK"
    assert sent["/oauth"]["authorization"] == "Bearer TOK"
    assert sent["/both"]["authorization"] == "Bearer TOK" and sent["/both"]["x-api-key"] == "KEY"
    assert sent["/either"]["authorization"] == basic and "x-api-key" not in sent["/either"]
    with pkg.Client(auth_mock.url, api_key="KEY") as key_only:
        assert key_only.get_either() == "either"  # basic unmet: the apiKey requirement
        with pytest.raises(pkg.errors.MissingCredentials, match="getBoth|get_both") as caught:
            key_only.get_both()
        assert caught.value.scheme == "bearerAuth" and caught.value.parameters == ("token",)
        with pytest.raises(pkg.errors.MissingCredentials, match="'basicAuth'.*username"):
            key_only.get_basic()
    assert auth_mock.requests[-1].headers["x-api-key"] == "KEY"
    assert "authorization" not in auth_mock.requests[-1].headers


def test_curl_samples_send_each_schemes_credential_from_its_variable(
    edge: dict[str, Generated], auth_mock: RestMock
) -> None:
    """The reference's shell samples: bearer from $TOKEN, basic from $USERNAME:$PASSWORD, the
    apiKey from $API_KEY, each exported in a comment first; run with bash + curl."""
    import os
    import re
    import shutil
    import subprocess

    bash, curl = shutil.which("bash"), shutil.which("curl")
    assert bash and curl, "the shell samples need bash and curl"
    reference = (edge["auth.yaml"].out / "docs" / "reference.md").read_text()
    shell = re.findall(r"```shell\n(.*?)\n```", reference, re.DOTALL)
    samples = [s for s in shell if re.search(r"^curl ", s, re.MULTILINE)]
    assert len(samples) == 7
    env = {**os.environ, "API_KEY": "KEY", "TOKEN": "TOK", "USERNAME": "U", "PASSWORD": "PW"}
    for sample in samples:
        exported = re.findall(r"^# export (.*)$", sample, re.MULTILINE)
        used = set(re.findall(r"\$([A-Z_]+)", sample))
        assert used <= set(exported[0].replace("=...", "").split()) if used else not exported
        script = sample.replace("https://api.example.com", auth_mock.url)
        result = subprocess.run(
            [bash, "-c", script + " --silent --show-error --fail --max-time 20"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (sample, result.stderr)
    basic = "Basic " + base64.b64encode(b"U:PW").decode()
    sent = {r.path: r.headers for r in auth_mock.requests}
    assert sorted(sent) == [
        "/basic",
        "/bearer",
        "/both",
        "/either",
        "/oauth",
        "/public",
        "/v1/indexes",
    ]
    assert sent["/v1/indexes"]["x-api-key"] == "KEY"
    assert sent["/basic"]["authorization"] == basic == sent["/either"]["authorization"]
    assert sent["/bearer"]["authorization"] == "Bearer TOK" == sent["/oauth"]["authorization"]
    assert sent["/both"]["authorization"] == "Bearer TOK" and sent["/both"]["x-api-key"] == "KEY"
    assert "authorization" not in sent["/public"] and "x-api-key" not in sent["/public"]


def test_the_cli_takes_every_credential_the_schemes_need_and_never_prints_them(
    edge: dict[str, Generated], auth_mock: RestMock
) -> None:
    """Bearer and basic credentials (and the apiKey) from options or the environment."""
    import os
    import subprocess

    generated = edge["auth.yaml"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(generated.package.upper())}
    env["PYTHONPATH"] = str(generated.out)
    prefix = generated.package.upper()

    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", generated.package, *args], env={**env, **extra},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    helps = cli("getBoth", "--help")
    assert helps.returncode == 0, helps.stderr
    for flag, variable in [("--api-key", "API_KEY"), ("--token", "TOKEN"),
                           ("--username", "USERNAME"), ("--password", "PASSWORD")]:  # fmt: skip
        assert flag in helps.stdout and f"${prefix}_{variable}" in helps.stdout
    assert "--secret-key" not in helps.stdout  # no scheme and no signature needs one
    assert "needs --api-key and --token" in " ".join(helps.stdout.split())
    url = ["--base-url", auth_mock.url]
    secrets = {f"{prefix}_TOKEN": "tok-SECRET", f"{prefix}_PASSWORD": "pw-SECRET"}
    done = [
        cli("getBearer", *url, **secrets),
        cli("getBasic", *url, "--username", "U", **secrets),
        cli("getBoth", *url, "--api-key", "key-SECRET", "--token", "flag-SECRET"),
        cli("getBasic", *url, "--password", "pw-SECRET"),  # no user name: refused before sending
        cli("getBearer"),  # no server in the spec: --base-url is required
    ]
    assert [d.returncode for d in done] == [0, 0, 0, 1, 2], [d.stderr for d in done]
    assert [json.loads(d.stdout) for d in done[:3]] == ["bearer", "basic", "both"]
    assert "MissingCredentials" in done[3].stderr and "username" in done[3].stderr
    assert "--base-url URL is required" in done[4].stderr
    assert all("SECRET" not in d.stdout + d.stderr for d in done)
    bearer, basic, both = auth_mock.requests
    assert bearer.headers["authorization"] == "Bearer tok-SECRET"
    assert basic.headers["authorization"] == "Basic " + base64.b64encode(b"U:pw-SECRET").decode()
    assert both.headers["authorization"] == "Bearer flag-SECRET"  # the option wins
    assert both.headers["x-api-key"] == "key-SECRET"
    reference = (generated.out / "docs" / "reference.md").read_text(encoding="utf-8")
    assert f"export {prefix}_USERNAME=... {prefix}_PASSWORD=...\n" in reference  # the samples
    assert f"export {prefix}_TOKEN=...\n" in reference and f"{prefix}_SECRET_KEY" not in reference
