"""Where the signature's parameters and headers show in the outputs: the reference's parameter
rows and the Insomnia export's slots come from `sent_parameters` and `headers` (a header-only
scheme like BTSE's has headers and no key or signature parameter)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import ROOT

from generator import outputs
from generator.load import Resolver, load_document
from generator.model.ir import RestApi
from generator.model.openapi import build_rest_api
from generator.outputs.docs import _rest_param_rows
from generator.render import Project

FIXTURES = ROOT / "tests" / "fixtures" / "signing"


def load(name: str) -> tuple[RestApi, Project]:
    doc = load_document(FIXTURES / f"{name}.yaml")
    api, _ = build_rest_api(doc, Resolver(doc), "demo")
    return api, Project("demo", api, None, documents={"openapi": doc})


def insomnia(project: Project) -> dict[str, dict[str, Any]]:
    resources = json.loads(outputs.insomnia_export(project, ""))["resources"]
    return {r["name"]: r for r in resources if r["_type"] == "request"}


@pytest.mark.parametrize(
    ("name", "op", "params", "headers"),
    [
        ("btse", "wallet", [], ["request-api", "request-nonce", "request-sign"]),
        ("binance", "account", ["timestamp", "signature"], ["X-MBX-APIKEY"]),
        ("kraken", "addOrder", ["nonce"], ["API-Key", "API-Sign"]),
    ],
)
def test_rows_and_slots(name: str, op: str, params: list[str], headers: list[str]) -> None:
    api, project = load(name)
    (operation,) = [o for o in api.operations if o.method_name == op]
    where = "form" if operation.body_kind == "form" else "query"
    rows = _rest_param_rows(api, operation, None, None)
    added = [(n, where) for n in params] + [(n, "header") for n in headers]
    assert [(r.name, r.location) for r in rows][len(rows) - len(added) :] == added
    assert all(r.name for r in rows)  # no nameless row from an absent key-parameter
    request = insomnia(project)[op]
    slots = request["body"]["params"] if where == "form" else request["parameters"]
    assert [s["name"] for s in slots][len(slots) - len(params) :] == params
    assert all(s["name"] for s in slots)
    values = {h["name"]: h["value"] for h in request["headers"]}
    assert len(values) == len(request["headers"])  # the auth header and the slot are one
    assert {h: values.get(h) for h in headers} == {
        h: "{{ _.apiKey }}" if h == headers[0] else "" for h in headers
    }
