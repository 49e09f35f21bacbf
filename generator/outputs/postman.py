"""`postman/<package>.postman_collection.json`: a Postman v2.1 collection.

Built as a Python dict and serialised deterministically. The JavaScript inside it is rendered from
templates: `postman/prerequest.js.j2` (the collection-level signing script, data-driven by the
JSON configuration `signing_config` makes from the spec's `x-signature`) and `postman/tests.js.j2`
(each request's checks of the status and the `x-envelope`).
"""

from __future__ import annotations

import json
from typing import Any

from generator.model.ir import (
    Operation,
    RestApi,
)
from generator.outputs.common import (
    VAR_API_KEY,
    VAR_BASE_URL,
    VAR_SECRET_KEY,
    Project,
    dump_json,
    generated_note,
    grouped,
    op_description,
    path_with,
    signed_location,
    spec_examples,
    stable_uuid,
    wire_pairs,
)
from generator.outputs.examples import Example, wire_text
from generator.outputs.signer import VAR_PASSPHRASE, signer_script, signing_config

POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
POSTMAN_TESTS = "postman/tests.js.j2"
POSTMAN_SIGNING = "the collection's pre-request script fills the key and the signature"


def _postman_auth(api: RestApi, op: Operation) -> dict[str, Any] | None:
    if not op.auth:
        return None
    scheme = api.auth_schemes[op.auth[0]]
    key = "{{" + VAR_API_KEY + "}}"
    if scheme.type == "apiKey":
        return {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": scheme.param_name, "type": "string"},
                {"key": "value", "value": key, "type": "string"},
                {
                    "key": "in",
                    "value": "query" if scheme.location == "query" else "header",
                    "type": "string",
                },
            ],
        }
    if scheme.type == "bearer":
        return {"type": "bearer", "bearer": [{"key": "token", "value": key, "type": "string"}]}
    return {
        "type": "basic",
        "basic": [
            {"key": "username", "value": key, "type": "string"},
            {"key": "password", "value": "{{" + VAR_SECRET_KEY + "}}", "type": "string"},
        ],
    }


def _postman_request(api: RestApi, op: Operation, args: dict[str, Any]) -> dict[str, Any]:
    sig = api.signature if op.signed else None
    query = [
        {"key": p.name, "value": text, **({"description": p.description} if p.description else {})}
        for p, text in wire_pairs(op.params, args, ("query",))
    ]
    body_fields = [
        {
            "key": p.name,
            "value": text,
            "type": "text",
            **({"description": p.description} if p.description else {}),
        }
        for p, text in wire_pairs(op.params, args, ("form", "multipart"))
    ]
    headers = [
        {"key": p.name, "value": text} for p, text in wire_pairs(op.params, args, ("header",))
    ]
    if sig is not None:
        target = body_fields if signed_location(op) == "body" else query
        extra = {"type": "text"} if target is body_fields else {}
        for name, template in sig.sent_parameters:
            key = template == "{api_key}"
            target.append(
                {
                    "key": name,
                    "value": "{{" + VAR_API_KEY + "}}" if key else "",
                    **extra,
                    "description": "API key (collection variable apiKey)."
                    if key
                    else "Filled by the collection's pre-request script.",
                }
            )
        headers.extend({"key": name, "value": ""} for name, _ in sig.headers)
    cookies = wire_pairs(op.params, args, ("cookie",))
    if cookies:
        headers.append(
            {"key": "Cookie", "value": "; ".join(f"{p.name}={text}" for p, text in cookies)}
        )
    segments = [s for s in path_with(op, args, ":{name}").split("/") if s]
    raw = "{{" + VAR_BASE_URL + "}}/" + "/".join(segments)
    if query:
        raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in query)
    url: dict[str, Any] = {"raw": raw, "host": ["{{" + VAR_BASE_URL + "}}"], "path": segments}
    if query:
        url["query"] = query
    path_vars = [
        {
            "key": p.name,
            "value": wire_text(args.get(p.name)),
            **({"description": p.description} if p.description else {}),
        }
        for p in op.params
        if p.location == "path"
    ]
    if path_vars:
        url["variable"] = path_vars
    request: dict[str, Any] = {
        "method": op.http_method,
        "header": headers,
        "url": url,
        "description": op_description(api, op, POSTMAN_SIGNING),
    }
    kind = op.body_kind
    if kind == "form":
        headers.append({"key": "Content-Type", "value": "application/x-www-form-urlencoded"})
        request["body"] = {"mode": "urlencoded", "urlencoded": body_fields}
    elif kind == "multipart":
        request["body"] = {"mode": "formdata", "formdata": body_fields}
    elif kind in ("json", "body"):
        if kind == "json":
            value: Any = {
                p.name: args.get(p.name)
                for p in op.params
                if p.location == "json" and args.get(p.name) is not None
            }
        else:
            value = args.get("body")
        headers.append({"key": "Content-Type", "value": op.body_media_type or "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(value, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    auth = _postman_auth(api, op)
    if auth is not None:
        request["auth"] = auth
    return request


def _examples(
    api: RestApi, op: Operation, responses: tuple[Example, ...]
) -> list[tuple[str, str, Any]]:
    """(id key, name, body) of the spec's response examples, then one error example per declared
    error code (root `x-error-codes` and the operation's `x-errors`) no spec example shows."""
    out = [(e.name, e.summary or e.name, e.value) for e in responses]
    env = api.envelope
    if env is None or not op.enveloped:
        return out
    shown = {
        e.value[env.error].get(env.code)
        for e in responses
        if e.is_error and isinstance(e.value.get(env.error), dict)
    }
    success = next((e.value for e in responses if not e.is_error), None)
    for code, error in sorted(op.errors.items()):
        if code in shown:
            continue
        body: dict[str, Any] = {
            env.error: {env.code: code, env.message: error.message or error.name},
            env.result: None,
        }
        if env.id:
            body[env.id] = success.get(env.id, 0) if isinstance(success, dict) else 0
        out.append((f"error {code}", f"Error {code}: {error.message or error.name}", body))
    return out


def _script(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def postman_collection(project: Project, template: str) -> str:
    """`postman/<package>.postman_collection.json`: one request per operation, folders by tag."""
    api = project.api
    assert api is not None
    examples = spec_examples(project)
    tests = project.env.get_template(POSTMAN_TESTS)
    folders = []
    for tag, ops in grouped(api, examples.rest_tags):
        items = []
        for op in ops:
            ex = examples.rest[op.operation_id]
            test_js = tests.render(
                **project.context, op=op, envelope=api.envelope if op.enveloped else None
            )
            request = _postman_request(api, op, ex.args)
            original = {k: v for k, v in request.items() if k != "description"}
            item: dict[str, Any] = {
                "id": stable_uuid("postman", api.title, op.operation_id),
                "name": op.method_name,
                "request": request,
                "event": [
                    {
                        "listen": "test",
                        "script": {
                            "id": stable_uuid("postman-test", api.title, op.operation_id),
                            "type": "text/javascript",
                            "exec": _script(test_js),
                        },
                    }
                ],
                "response": [
                    {
                        "id": stable_uuid("postman-example", api.title, op.operation_id, key),
                        "name": name,
                        "originalRequest": original,
                        "status": "OK",
                        "code": 200,
                        "_postman_previewlanguage": "json",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": json.dumps(value, indent=2, ensure_ascii=False),
                    }
                    for key, name, value in _examples(api, op, ex.responses)
                ],
            }
            items.append(item)
        folder: dict[str, Any] = {
            "id": stable_uuid("postman-folder", api.title, tag),
            "name": tag,
            "item": items,
        }
        if examples.rest_tags.get(tag):
            folder["description"] = examples.rest_tags[tag]
        folders.append(folder)
    config = signing_config(api)
    collection: dict[str, Any] = {
        "info": {
            "_postman_id": stable_uuid("postman-collection", api.title),
            "name": api.title,
            "description": (api.description + "\n\n" if api.description else "")
            + generated_note(project),
            "version": api.version,
            "schema": POSTMAN_SCHEMA,
        },
        "item": folders,
    }
    if config is not None and config["operations"]:
        script = project.env.get_template(template).render(
            **project.context,
            config=json.dumps(config, indent=2, ensure_ascii=False),
            signer=signer_script(project.env),
        )
        collection["event"] = [
            {
                "listen": "prerequest",
                "script": {
                    "id": stable_uuid("postman-prerequest", api.title),
                    "type": "text/javascript",
                    "exec": _script(script),
                },
            }
        ]
    collection["variable"] = [
        {"key": VAR_BASE_URL, "value": api.base_url, "type": "string"},
        {"key": VAR_API_KEY, "value": "", "type": "string"},
        {"key": VAR_SECRET_KEY, "value": "", "type": "string"},
    ]
    if api.signature is not None and api.signature.needs_passphrase:
        collection["variable"].append({"key": VAR_PASSPHRASE, "value": "", "type": "string"})
    return dump_json(collection)
