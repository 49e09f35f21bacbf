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
    got = sorted((folder, item["name"], item["request"]["method"]) for folder, item in requests_of(collection))
    want = sorted((op["tag"], op["name"], op["method"]) for op in OPERATIONS)
    assert got == want
    ids = [item["id"] for _, item in requests_of(collection)]
    assert len(set(ids)) == len(ids) == len(OPERATIONS)


def test_requests_carry_example_values_and_credential_slots(collection: dict[str, Any]) -> None:
    by_name = {item["name"]: item["request"] for _, item in requests_of(collection)}
    for op in OPERATIONS:
        request = by_name[op["name"]]
        assert request["url"]["raw"].startswith("{{baseUrl}}" + op["path"].split("{")[0])
        fields = request["body"]["urlencoded"] if op["method"] == "POST" else request["url"].get("query", [])
        keys = [f["key"] for f in fields]
        if op["signed"]:
            assert keys[-2:] == ["api_key", "sign"], op["name"]
            assert fields[-2]["value"] == "{{apiKey}}" and fields[-1]["value"] == ""
        else:
            assert "sign" not in keys and "api_key" not in keys
        assert all(f["value"] != "" for f in fields if f["key"] != "sign"), op["name"]
    assert by_name["market.last"]["url"]["query"] == [
        {"key": "market", "value": "ETH/BTC", "description": by_name["market.last"]["url"]["query"][0]["description"]}
    ]


def test_signing_script_is_data_driven_from_the_spec(collection: dict[str, Any]) -> None:
    (event,) = collection["event"]
    assert event["listen"] == "prerequest"
    script = "\n".join(event["script"]["exec"])
    config_text = script.split("const SIGNING = ", 1)[1].split(";\n", 1)[0]
    config = json.loads(config_text)
    sig = load_yaml(REST_SPEC)["x-signature"]
    assert (config["algorithm"], config["output"], config["payload"]) == (sig["algorithm"], sig["output"], sig["payload"])
    assert (config["keyParameter"], config["signatureParameter"]) == (sig["key-parameter"], sig["parameter"])
    signed = sorted(op["name"] for op in OPERATIONS if op["signed"])
    assert sorted(o["name"] for o in config["operations"]) == signed
    assert "CryptoJS.MD5" in script and "CryptoJS.HmacSHA512" in script  # every allowed algorithm


def test_collection_is_deterministic(collection: dict[str, Any]) -> None:
    text = COLLECTION.read_text(encoding="utf-8")
    assert "_postman_exported_at" not in text and "timestamp" not in text.lower()
    assert json.dumps(collection, indent=2, ensure_ascii=False) + "\n" == text
