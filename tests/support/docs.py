"""The committed reference docs (generated/docs/) and the spec facts they are checked against.

Used by unit/test_docs_site.py, sdk/test_docs_samples.py and integration/test_docs_browser.py.
"""

from __future__ import annotations

from typing import Any

from . import REST_SPEC, ROOT, WS_SPEC, load_yaml

DOCS = ROOT / "generated" / "docs"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REST = load_yaml(REST_SPEC)
WS = load_yaml(WS_SPEC)
REST_NAMES = [
    op.get("x-method-name", op["operationId"])
    for item in REST["paths"].values()
    for method in HTTP_METHODS
    if (op := item.get(method))
]
SIGNED = [
    op.get("x-method-name", op["operationId"])
    for item in REST["paths"].values()
    for method in HTTP_METHODS
    if (op := item.get(method)) and op.get("x-signed")
]
WS_NAMES = [
    m["x-rpc-method"]["name"]
    for m in WS["components"]["messages"].values()
    if m.get("x-rpc-method", {}).get("kind") in ("request", "subscribe", "unsubscribe")
]


def read(name: str) -> str:
    path = DOCS / name
    assert path.exists(), f"{path} is missing: run `make generate`"
    return path.read_text(encoding="utf-8")


def sections(markdown: str) -> dict[str, list[str]]:
    """Level-2 heading -> the text up to the next level-1/2 heading (a list: names repeat)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    key = ""
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith(("# ", "## ")):
            current = None
            if line.startswith("## "):
                current, key = [], line[3:].strip()
                out.setdefault(key, []).append("")
                continue
        if current is not None:
            current.append(line)
            out[key][-1] = "\n".join(current)
    return out


# ------------------------------------------------------------------ what the field tables must show


def one_line(text: str) -> str:
    """A description as a Markdown table cell shows it."""
    return " ".join(text.split()).replace("|", "\\|")


def _walk_descriptions(
    resolver: Any,
    value: Any,
    doc: Any,
    pointer: str,
    seen: frozenset[tuple[str, str]],
    out: list[str],
) -> None:
    """Every `description` of a schema's properties, items and branches (cycles stop)."""
    from generator.problems import join_pointer

    found = resolver.follow(value, doc, pointer)
    node, doc, pointer = found.value, found.doc, found.pointer
    key = (str(doc.path), pointer)
    if key in seen or not isinstance(node, dict):
        return
    seen = seen | {key}
    for name, sub in (node.get("properties") or {}).items():
        prop = resolver.follow(sub, doc, join_pointer(pointer, "properties", name)).value
        if isinstance(prop, dict) and prop.get("description"):
            out.append(prop["description"])
        _walk_descriptions(resolver, sub, doc, join_pointer(pointer, "properties", name), seen, out)
    for word in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for i, sub in enumerate(node.get(word) or []):
            _walk_descriptions(resolver, sub, doc, join_pointer(pointer, word, i), seen, out)
    items = node.get("items")
    for i, sub in enumerate(items if isinstance(items, list) else []):
        item = resolver.follow(sub, doc, join_pointer(pointer, "items", i)).value
        if isinstance(item, dict) and item.get("description"):
            out.append(item["description"])
        _walk_descriptions(resolver, sub, doc, join_pointer(pointer, "items", i), seen, out)
    if isinstance(items, dict):
        _walk_descriptions(resolver, items, doc, join_pointer(pointer, "items"), seen, out)
    if isinstance(node.get("additionalProperties"), dict):
        _walk_descriptions(
            resolver,
            node["additionalProperties"],
            doc,
            join_pointer(pointer, "additionalProperties"),
            seen,
            out,
        )


def rest_response_descriptions() -> dict[str, list[str]]:
    """Method name -> the field descriptions of its 2xx JSON response schema, from the spec."""
    from generator.load import Resolver, load_document
    from generator.problems import join_pointer

    doc = load_document(REST_SPEC)
    resolver = Resolver(doc)
    out: dict[str, list[str]] = {}
    for path, item in doc.data["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not op:
                continue
            found: list[str] = []
            for code, response in op["responses"].items():
                if not str(code).startswith("2"):
                    continue
                where = join_pointer("/paths", path, method, "responses", code)
                answer = resolver.follow(response, doc, where)
                for media, content in answer.value.get("content", {}).items():
                    if "json" in media and "schema" in content:
                        schema_at = join_pointer(answer.pointer, "content", media, "schema")
                        _walk_descriptions(
                            resolver, content["schema"], answer.doc, schema_at, frozenset(), found
                        )
                break
            out[op.get("x-method-name", op["operationId"])] = found
    return out


def ws_message_descriptions() -> dict[str, list[str]]:
    """WebSocket method name -> the descriptions of its request's parameters (nested ones too)
    and of the fields of its reply and push payloads."""
    from generator.load import Resolver, load_document

    doc = load_document(WS_SPEC)
    resolver = Resolver(doc)
    messages = doc.data["components"]["messages"]
    by_role = {
        (m["x-rpc-method"]["name"], m["x-rpc-method"]["kind"]): (key, m)
        for key, m in messages.items()
        if "x-rpc-method" in m
    }
    out: dict[str, list[str]] = {}
    for (name, kind), (own, message) in by_role.items():
        if kind not in ("request", "subscribe", "unsubscribe"):
            continue
        found: list[str] = []
        params = {"$ref": f"#/components/messages/{own}/payload/properties/params"}
        _walk_descriptions(resolver, params, doc, "", frozenset(), found)
        targets = [by_role.get((name, "reply"))]
        push = message["x-rpc-method"].get("push")
        if push:
            targets.append(by_role.get((push, "push")))
        for target in targets:
            if target is not None:
                key, _ = target
                _walk_descriptions(
                    resolver,
                    {"$ref": f"#/components/messages/{key}/payload"},
                    doc,
                    "",
                    frozenset(),
                    found,
                )
        out[name] = found
    return out
