"""The generated Postman collection's shape (Newman runs it in integration/test_postman.py).

`generated/postman/<package>.postman_collection.json` must hold one request per operation, in
one folder per tag, with the collection variables baseUrl/apiKey/secretKey, and a pre-request
script whose signing configuration is data-driven from the spec's x-signature.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import REST_SPEC, load_yaml
from support.postman import COLLECTION, OPERATIONS, requests_of

from generator.outputs.signer import signer_script
from generator.runtime._signing import Signature


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    assert COLLECTION.exists(), f"{COLLECTION} is missing: run `make generate`"
    return json.loads(COLLECTION.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ structure


def test_schema_and_variables(collection: dict[str, Any]) -> None:
    info = collection["info"]
    assert info["schema"] == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    assert info["name"] == load_yaml(REST_SPEC)["info"]["title"]
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    assert set(variables) == {"baseUrl", "apiKey", "secretKey"}
    assert variables["baseUrl"] == load_yaml(REST_SPEC)["servers"][0]["url"]
    assert variables["apiKey"] == variables["secretKey"] == ""  # no credentials shipped


def test_one_request_per_operation_in_tag_folders(collection: dict[str, Any]) -> None:
    got = sorted(
        (folder, item["name"], item["request"]["method"])
        for folder, item in requests_of(collection)
    )
    want = sorted((op["tag"], op["name"], op["method"]) for op in OPERATIONS)
    assert got == want
    ids = [item["id"] for _, item in requests_of(collection)]
    assert len(set(ids)) == len(ids) == len(OPERATIONS)


def test_requests_carry_example_values_and_credential_slots(collection: dict[str, Any]) -> None:
    by_name = {item["name"]: item["request"] for _, item in requests_of(collection)}
    for op in OPERATIONS:
        request = by_name[op["name"]]
        assert request["url"]["raw"].startswith("{{baseUrl}}" + op["path"].split("{")[0])
        fields = (
            request["body"]["urlencoded"]
            if op["method"] == "POST"
            else request["url"].get("query", [])
        )
        keys = [f["key"] for f in fields]
        if op["signed"]:
            assert keys[-2:] == ["api_key", "sign"], op["name"]
            assert fields[-2]["value"] == "{{apiKey}}" and fields[-1]["value"] == ""
        else:
            assert "sign" not in keys and "api_key" not in keys
        assert all(f["value"] != "" for f in fields if f["key"] != "sign"), op["name"]
    assert by_name["market.last"]["url"]["query"] == [
        {
            "key": "market",
            "value": "ETH/BTC",
            "description": by_name["market.last"]["url"]["query"][0]["description"],
        }
    ]


def test_signing_script_is_data_driven_from_the_spec(collection: dict[str, Any]) -> None:
    (event,) = collection["event"]
    assert event["listen"] == "prerequest"
    script = "\n".join(event["script"]["exec"])
    config_text = script.split("const SIGNING = ", 1)[1].split(";\n", 1)[0]
    config = json.loads(config_text)
    sig = load_yaml(REST_SPEC)["x-signature"]
    got = config["signature"]
    assert (got["algorithm"], got["output"], got["payload"]) == (
        sig["algorithm"],
        sig["output"],
        sig["payload"],
    )
    assert (got["key-parameter"], got["parameter"]) == (sig["key-parameter"], sig["parameter"])
    assert got == Signature.from_mapping(sig).to_mapping()
    signed = sorted(op["name"] for op in OPERATIONS if op["signed"])
    assert sorted(o["name"] for o in config["operations"]) == signed
    assert signer_script() in script  # the shared signer, then the Postman adapter
    for name in ("MD5", "SHA1", "SHA256", "SHA384", "SHA512"):  # every allowed algorithm
        assert f"{name.lower()}: '{name}'" in script


def test_collection_is_deterministic(collection: dict[str, Any]) -> None:
    text = COLLECTION.read_text(encoding="utf-8")
    assert "_postman_exported_at" not in text

    def keys(node: Any) -> list[str]:  # no export time anywhere (scripts may say `timestamp`)
        if isinstance(node, dict):
            return [k for k, v in node.items() for k in (k, *keys(v))]
        return [k for v in node for k in keys(v)] if isinstance(node, list) else []

    assert not [k for k in keys(collection) if "timestamp" in k.lower() or "exported" in k.lower()]
    assert json.dumps(collection, indent=2, ensure_ascii=False) + "\n" == text


# ------------------------------------------------------------------ examples


def test_every_example_carries_its_request(collection: dict[str, Any]) -> None:
    count = 0
    for _, item in requests_of(collection):
        assert item["response"], item["name"]
        request = {k: v for k, v in item["request"].items() if k != "description"}
        for example in item["response"]:
            assert example["originalRequest"] == request, (item["name"], example["name"])
            count += 1
    assert count > len(OPERATIONS)


def test_declared_error_codes_appear_as_examples(collection: dict[str, Any]) -> None:
    spec = load_yaml(REST_SPEC)
    common = {int(code): e["message"] for code, e in spec["x-error-codes"].items()}
    assert len(common) >= 6
    raw_ops = {
        op.get("x-method-name", op["operationId"]): op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    by_name = {item["name"]: item for _, item in requests_of(collection)}
    for op in OPERATIONS:
        codes = {}
        for example in by_name[op["name"]]["response"]:
            body = json.loads(example["body"])
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                assert body["result"] is None and example["code"] == 200
                codes[body["error"]["code"]] = body["error"]["message"]
        if not op["enveloped"]:
            assert codes == {}, op["name"]
            continue
        declared = {
            **common,
            **{int(c): e["message"] for c, e in raw_ops[op["name"]].get("x-errors", {}).items()},
        }
        assert set(codes) == set(declared), op["name"]
        made = {
            c: m
            for c, m in codes.items()
            if f"Error {c}: {m}" in [e["name"] for e in by_name[op["name"]]["response"]]
        }
        assert all(declared[c] == m for c, m in made.items()), op["name"]
