"""`insomnia/<package>.insomnia.json` (Insomnia v4 export) and `.insomnia.yaml` (v5 collection).

Both hold the workspace, the base environment (baseUrl, apiKey, secretKey), one folder per tag and
one request per operation. A signed request carries a pre-request script (Insomnia 9+):
`insomnia/prerequest.js.j2`, with the configuration of that operation from `signing_config` and
the signer shared with the Postman collection (`js/signer.js`), and empty slots for the
signature's parameters and headers.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from generator.model.ir import (
    Operation,
    RestApi,
    Signature,
)
from generator.outputs.common import (
    VAR_API_KEY,
    VAR_BASE_URL,
    VAR_SECRET_KEY,
    Project,
    dump_json,
    generated_note,
    grouped,
    hash_id,
    op_description,
    path_with,
    signed_location,
    spec_examples,
    wire_pairs,
)
from generator.outputs.samples import signature_rule
from generator.outputs.signer import VAR_PASSPHRASE, signer_script, signing_config
from generator.runtime._signing import placeholders

INSOMNIA_SCRIPT = "insomnia/prerequest.js.j2"

INSOMNIA_SIGNING = "the request's pre-request script fills the key and the signature"
FILLED = "Filled by the request's pre-request script."


def _scripts(project: Project) -> dict[str, str]:
    """operation_id -> the pre-request script that signs it (signed operations only)."""
    api = project.api
    assert api is not None
    config = signing_config(api)
    if config is None:
        return {}
    template = project.env.get_template(INSOMNIA_SCRIPT)
    signer = signer_script(project.env)
    out = {}
    for op, entry in zip(
        [o for o in api.operations if o.signed], config["operations"], strict=True
    ):
        one = {**config, "operations": [entry]}
        out[op.operation_id] = template.render(
            **project.context,
            config=json.dumps(one, indent=2, ensure_ascii=False),
            variables=config["variables"],
            signer=signer,
            base_url=VAR_BASE_URL,
        )
    return out


def insomnia_export(project: Project, template: str) -> str:
    """`insomnia/<package>.insomnia.json`: Insomnia v4 export (workspace, environment, folders)."""
    api = project.api
    assert api is not None
    examples = spec_examples(project)
    workspace = "wrk_" + hash_id("insomnia", api.title)
    variables = [VAR_BASE_URL, VAR_API_KEY, VAR_SECRET_KEY]
    if api.signature is not None and api.signature.needs_passphrase:
        variables.append(VAR_PASSPHRASE)
    resources: list[dict[str, Any]] = [
        {
            "_id": workspace,
            "_type": "workspace",
            "parentId": None,
            "name": api.title,
            "description": (api.description + "\n\n" if api.description else "")
            + generated_note(project),
            "scope": "collection",
        },
        {
            "_id": "env_" + hash_id("insomnia-env", api.title),
            "_type": "environment",
            "parentId": workspace,
            "name": "Base Environment",
            "data": {v: api.base_url if v == VAR_BASE_URL else "" for v in variables},
            "dataPropertyOrder": {"&": variables},
            "color": None,
            "isPrivate": False,
            "metaSortKey": 0,
        },
    ]
    scripts = _scripts(project)
    sort = 0
    for tag, ops in grouped(api, examples.rest_tags):
        folder = "fld_" + hash_id("insomnia-folder", api.title, tag)
        sort += 1
        resources.append(
            {
                "_id": folder,
                "_type": "request_group",
                "parentId": workspace,
                "name": tag,
                "description": examples.rest_tags.get(tag, ""),
                "environment": {},
                "environmentPropertyOrder": None,
                "metaSortKey": sort,
            }
        )
        for op in ops:
            sort += 1
            request = _insomnia_request(api, op, examples.rest[op.operation_id].args, folder, sort)
            if op.operation_id in scripts:
                request["preRequestScript"] = scripts[op.operation_id]
            resources.append(request)
    return dump_json(
        {
            "_type": "export",
            "__export_format": 4,
            "__export_source": "spec-sdk-generator",
            "resources": resources,
        }
    )


def _insomnia_request(
    api: RestApi, op: Operation, args: dict[str, Any], parent: str, sort: int
) -> dict[str, Any]:
    var = "{{ _.%s }}"
    sig = api.signature if op.signed else None
    parameters = [
        {"name": p.name, "value": text, "description": p.description, "disabled": False}
        for p, text in wire_pairs(op.params, args, ("query",))
    ]
    fields = [
        {"name": p.name, "value": text, "description": p.description, "disabled": False}
        for p, text in wire_pairs(op.params, args, ("form", "multipart"))
    ]
    headers = [
        {"name": p.name, "value": text} for p, text in wire_pairs(op.params, args, ("header",))
    ]
    body: dict[str, Any] = {}
    if op.body_kind == "form":
        body = {"mimeType": "application/x-www-form-urlencoded", "params": fields}
        headers.append({"name": "Content-Type", "value": "application/x-www-form-urlencoded"})
    elif op.body_kind == "multipart":
        body = {"mimeType": "multipart/form-data", "params": fields}
        headers.append({"name": "Content-Type", "value": "multipart/form-data"})
    elif op.body_kind in ("json", "body"):
        value = (
            {p.name: args.get(p.name) for p in op.params if p.location == "json"}
            if op.body_kind == "json"
            else args.get("body")
        )
        media = op.body_media_type or "application/json"
        body = {"mimeType": media, "text": json.dumps(value, indent=2, ensure_ascii=False)}
        headers.append({"name": "Content-Type", "value": media})
    authentication: dict[str, Any] = {}
    if op.auth:
        scheme = api.auth_schemes[op.auth[0]]
        if scheme.type == "bearer":
            authentication = {"type": "bearer", "token": var % VAR_API_KEY}
        elif scheme.type == "basic":
            authentication = {
                "type": "basic",
                "username": var % VAR_API_KEY,
                "password": var % VAR_SECRET_KEY,
            }
        elif scheme.location == "header":
            headers.append({"name": scheme.param_name, "value": var % VAR_API_KEY})
        elif scheme.location == "query":
            parameters.append(
                {
                    "name": scheme.param_name,
                    "value": var % VAR_API_KEY,
                    "description": "API key",
                    "disabled": False,
                }
            )
    if sig is not None:
        _signature_slots(sig, fields if signed_location(op) == "body" else parameters, headers)
    return {
        "_id": "req_" + hash_id("insomnia-request", api.title, op.operation_id),
        "_type": "request",
        "parentId": parent,
        "name": op.method_name,
        "description": op_description(api, op, INSOMNIA_SIGNING),
        "method": op.http_method,
        "url": var % VAR_BASE_URL + path_with(op, args, "{value}"),
        "parameters": parameters,
        "headers": headers,
        "body": body,
        "authentication": authentication,
        "metaSortKey": sort,
        "settingEncodeUrl": True,
    }


def _signature_slots(
    sig: Signature, params: list[dict[str, Any]], headers: list[dict[str, Any]]
) -> None:
    """The signature's parameters and headers as the export's slots: the key as a template tag,
    the rest empty until the pre-request script fills them (a header already there is kept)."""

    def slot(name: str, template: str) -> dict[str, Any]:
        key = template == "{api_key}"
        if key:
            about = "API key"
        elif "signature" in placeholders(template):
            about = "Signature: " + signature_rule(sig)
        else:
            about = f"`{template}`. {FILLED}"
        value = "{{ _." + VAR_API_KEY + " }}" if key else ""
        return {"name": name, "value": value, "description": about, "disabled": False}

    params.extend(slot(name, template) for name, template in sig.sent_parameters)
    present = {h["name"].lower() for h in headers}
    headers.extend(slot(n, t) for n, t in sig.headers if n.lower() not in present)


def insomnia_v5(project: Project, template: str) -> str:
    """`insomnia/<package>.insomnia.yaml`: the same collection as an Insomnia v5 YAML export."""
    v4 = json.loads(insomnia_export(project, template))["resources"]
    workspace, environment = v4[0], v4[1]
    groups = [r for r in v4 if r["_type"] == "request_group"]
    requests = [r for r in v4 if r["_type"] == "request"]
    collection = []
    for group in groups:
        children = []
        for r in requests:
            if r["parentId"] != group["_id"]:
                continue
            item: dict[str, Any] = {
                "url": r["url"],
                "name": r["name"],
                "meta": {
                    "id": r["_id"],
                    "sortKey": r["metaSortKey"],
                    "description": r["description"],
                },
                "method": r["method"],
                "parameters": r["parameters"],
                "headers": r["headers"],
            }
            if r["body"]:
                item["body"] = r["body"]
            if r["authentication"]:
                item["authentication"] = r["authentication"]
            if r.get("preRequestScript"):
                item["scripts"] = {"preRequest": r["preRequestScript"], "afterResponse": ""}
            item["settings"] = {"encodeUrl": r["settingEncodeUrl"]}
            children.append(item)
        collection.append(
            {
                "name": group["name"],
                "meta": {
                    "id": group["_id"],
                    "sortKey": group["metaSortKey"],
                    "description": group["description"],
                },
                "children": children,
            }
        )
    document = {
        "type": "collection.insomnia.rest/5.0",
        "name": workspace["name"],
        "meta": {"id": workspace["_id"], "description": workspace["description"]},
        "collection": collection,
        "environments": {
            "name": environment["name"],
            "meta": {"id": environment["_id"]},
            "data": environment["data"],
        },
    }
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (descriptions, scripts) as literal `|` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)
