"""The document model (generator/document/): one walk, typed nodes, real locations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.document import (
    AsyncAPIModel,
    OpenAPIModel,
    build_asyncapi,
    build_model,
    build_openapi,
)
from generator.load import load_document

ROOT = Path(__file__).resolve().parents[2]
MULTIFILE = ROOT / "tests" / "fixtures" / "edge" / "multifile"
SPECS = ROOT / "tests" / "fixtures" / "specs"


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of `path` containing `needle` (a node's line is where its
    value starts: for a block mapping under `key:`, the line of its first key)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def multifile() -> OpenAPIModel:
    return build_openapi(load_document(MULTIFILE / "root.yaml"))


def test_operations_live_where_their_ref_leads(multifile: OpenAPIModel) -> None:
    ops = {op.operation_id: op for op in multifile.operations}
    assert set(ops) == {"getOrder", "listCustomers"}
    get_order = ops["getOrder"]
    assert (get_order.path, get_order.method) == ("/orders/{orderId}", "get")
    orders = MULTIFILE / "paths" / "orders.yaml"
    loc = get_order.location
    assert Path(loc.file).resolve() == orders.resolve()
    assert (loc.pointer, loc.line) == ("/get", line_of(orders, "operationId: getOrder"))
    [param] = get_order.parameters
    assert (param.name, param.location_in, param.required) == ("orderId", "path", True)
    assert param.location.line == line_of(orders, "- name: orderId")
    assert param.location.pointer == "/get/parameters/0"
    list_customers = ops["listCustomers"]
    assert Path(list_customers.location.file) == MULTIFILE / "root.yaml"
    assert list_customers.location.line == line_of(
        MULTIFILE / "root.yaml", "operationId: listCustomers"
    )


def test_refs_into_other_files_are_located_there(multifile: OpenAPIModel) -> None:
    common = MULTIFILE / "common.yaml"
    op = next(op for op in multifile.operations if op.operation_id == "listCustomers")
    [page] = op.parameters
    assert Path(page.location.file).resolve() == common.resolve()
    assert page.location.pointer == "/components/parameters/Page"
    assert page.location.line == line_of(common, "name: page")
    assert (page.style, page.explode) == ("form", True)  # query defaults
    [response] = op.responses
    assert response.status == "200"
    assert response.location.pointer == "/components/responses/Customers"
    assert response.location.line == line_of(common, "description: customers")
    [media] = response.content
    assert media.media_type == "application/json" and media.has_examples
    assert media.schema is not None and media.schema.value["type"] == "array"


def test_examples_are_collected_with_their_schemas(multifile: OpenAPIModel) -> None:
    orders = MULTIFILE / "paths" / "orders.yaml"
    common = MULTIFILE / "common.yaml"
    found = {
        (Path(e.location.file).resolve(), e.location.pointer, e.location.line)
        for e in multifile.examples
    }
    assert (orders.resolve(), "/get/responses/200/content/application~1json/example", 15) in found
    example_line = line_of(common, "example: [{name: Bo")
    assert (
        common.resolve(),
        "/components/responses/Customers/content/application~1json/example",
        example_line,
    ) in found
    order_example = next(e for e in multifile.examples if e.location.line == 15)  # `id: o-1`
    assert order_example.value["id"] == "o-1"
    assert order_example.schema is not None
    assert Path(order_example.schema.location.file).name == "order.yaml"
    assert order_example.schema.location.pointer == ""
    # each (value, schema) location once
    keys = [(e.location, e.schema.location if e.schema else None) for e in multifile.examples]
    assert len(keys) == len(set(keys))


ENCODINGS = """\
    openapi: 3.0.3
    info: {title: t, version: "1"}
    paths:
      /items/{id}:
        parameters:
          - {name: id, in: path, required: true, schema: {type: string}}
        post:
          operationId: postItem
          security: []
          parameters:
            - name: tags
              in: query
              style: pipeDelimited
              explode: false
              schema: {type: array, items: {type: string}}
            - name: filter
              in: query
              content:
                application/json:
                  schema: {type: object}
                  example: {a: 1}
            - {name: X-Trace, in: header, schema: {type: string}, example: abc}
            - {name: id, in: path, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    meta: {type: object}
                    file: {type: string, format: binary}
                encoding:
                  meta: {contentType: application/json, style: form, explode: true}
                  file:
                    contentType: image/png
                    headers:
                      X-Rate: {schema: {type: integer}}
          responses:
            "201":
              description: made
              headers:
                Location: {schema: {type: string}, required: true}
              content:
                application/json:
                  schema: {type: object, properties: {id: {type: string}}}
                  examples:
                    one: {value: {id: x}}
          x-signed: true
    """


def test_parameters_and_bodies_carry_their_encodings(tmp_path: Path) -> None:
    spec = tmp_path / "encodings.yaml"
    spec.write_text(textwrap.dedent(ENCODINGS), encoding="utf-8")
    model = build_model(load_document(spec))
    assert isinstance(model, OpenAPIModel)
    [op] = model.operations
    assert op.security == []  # explicitly no auth, unlike None (the document's default)
    assert op.extensions["x-signed"].value is True
    assert op.extensions["x-signed"].location.pointer == "/paths/~1items~1{id}/post/x-signed"
    params = {p.name: p for p in op.parameters}
    assert (params["tags"].style, params["tags"].explode) == ("pipeDelimited", False)
    [content] = params["filter"].content
    assert content.media_type == "application/json" and params["filter"].schema is None
    assert [e.value for e in content.examples] == [{"a": 1}]
    assert (params["X-Trace"].style, params["X-Trace"].explode) == ("simple", False)
    assert [e.value for e in params["X-Trace"].examples] == ["abc"]
    # the operation's `id` overrides the path item's
    [path_id] = op.path_parameters
    effective = {(p.name, p.location_in): p for p in op.effective_parameters}
    assert effective[("id", "path")].schema is not None
    assert effective[("id", "path")].schema.value == {"type": "integer"}
    assert path_id.schema is not None and path_id.schema.value == {"type": "string"}
    assert op.request_body is not None and op.request_body.required
    [form] = op.request_body.content
    encodings = {e.property: e for e in form.encoding}
    assert encodings["meta"].content_type == "application/json"
    assert (encodings["meta"].style, encodings["meta"].explode) == ("form", True)
    assert encodings["file"].explode is None
    [rate] = encodings["file"].headers
    assert rate.name == "X-Rate" and rate.location.line == line_of(spec, "X-Rate:")
    [response] = op.responses
    assert [(h.name, h.required) for h in response.headers] == [("Location", True)]
    [json_body] = response.content
    [named] = json_body.examples
    assert (named.name, named.value) == ("one", {"id": "x"})
    assert named.location.pointer.endswith("/examples/one/value")
    assert named.location.line == line_of(spec, "one: {value")
    collected = {e.location.pointer for e in model.examples}
    assert named.location.pointer in collected


def test_asyncapi_30_channels_operations_messages() -> None:
    model = build_asyncapi(load_document(SPECS / "asyncapi-30-good.yaml"))
    assert model.version == "3.0.0"
    [server] = model.servers
    assert (server.name, server.url, server.protocol) == (
        "production",
        "stream.example.com/ws",
        "wss",
    )
    [channel] = model.channels
    assert (channel.key, channel.address) == ("root", "/")
    assert [m.key for m in channel.messages] == ["Ping", "Pong"]
    ops = {op.key: op for op in model.operations}
    assert ops["sendPing"].action == "send" and ops["sendPing"].channel is channel
    assert [m.name for m in ops["sendPing"].messages] == ["server.ping"]
    assert [m.name for m in ops["receivePong"].messages] == ["server.ping.reply"]
    assert [m.key for m in model.messages] == ["Ping", "Pong"]
    pong = model.component_messages["Pong"]
    assert pong.payload is not None  # the 3.0 multi-format schema object is unwrapped
    assert pong.payload.location.pointer == "/components/messages/Pong/payload/schema"
    [example] = pong.examples
    assert example.payload is not None and example.payload.value == {"result": "pong"}
    assert example.payload.location.line == line_of(
        SPECS / "asyncapi-30-good.yaml", "{result: pong}"
    )
    assert pong.has_examples
    values = [e.value for e in model.examples]
    assert {"result": "pong"} in values and "pong" in values  # message and schema examples


def test_asyncapi_26_publish_subscribe() -> None:
    doc = load_document(SPECS / "asyncapi-26-good.yaml")
    model = build_model(doc)
    assert isinstance(model, AsyncAPIModel)
    assert model.operations, "2.x publish/subscribe become operations"
    for op in model.operations:
        assert op.action in ("publish", "subscribe")
        assert op.channel is not None and op.key == f"{op.channel.key}/{op.action}"
        for message in op.messages:
            assert message in model.messages
    for message in model.messages:
        assert message.location.line is not None
        assert doc.line_of(message.location.pointer) == message.location.line


def test_build_model_of_something_else_is_none(tmp_path: Path) -> None:
    spec = tmp_path / "swagger.yaml"
    spec.write_text("swagger: '2.0'\n", encoding="utf-8")
    assert build_model(load_document(spec)) is None
