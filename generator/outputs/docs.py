"""The reference docs: `reference.md`, `llms.txt`, `llms-full.txt` and `index.html`.

The docs templates (`docs/*.j2`) are rendered with the usual context plus `docs`, a view of the
model with the spec's examples and ready-made request samples (curl, Python, the CLI).
`index.html` is `reference.md` converted by `generator.outputs.markdown`, with a navigation built
from its headings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from generator.model.ir import (
    ErrorDef,
    Operation,
    RestApi,
    WsMethod,
    WsParam,
)
from generator.outputs.common import (
    Project,
    generated_note,
    grouped,
    one_line,
    own_errors,
    signed_location,
    spec_examples,
)
from generator.outputs.markdown import Heading, to_html
from generator.outputs.samples import (
    cli_rest_sample,
    cli_ws_sample,
    curl_sample,
    python_rest_sample,
    python_ws_sample,
    signature_rule,
)

HTML_CONTENT_TEMPLATE = "docs/reference.md.j2"


def schema_type(schema: dict[str, Any], json_encoded: bool = False) -> str:
    """A short type name for tables: `integer`, `decimal string`, `array of string`, ..."""
    if not isinstance(schema, dict):
        return "any"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "|".join(str(k) for k in kind)
    if schema.get("format") == "decimal":
        name = "decimal string" if kind in (None, "string") else "decimal"
    elif kind == "array":
        items = schema.get("items")
        name = "array of " + (schema_type(items) if isinstance(items, dict) else "values")
    elif kind:
        name = str(kind)
    elif "enum" in schema:
        name = "enum"
    else:
        name = "any"
    if json_encoded:
        name = f"JSON text ({name})"
    return name


def _allowed(schema: dict[str, Any]) -> str:
    if isinstance(schema, dict) and isinstance(schema.get("enum"), list):
        return (
            "One of "
            + ", ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in schema["enum"])
            + "."
        )
    return ""


@dataclass
class ParamRow:
    name: str
    location: str
    type: str
    required: bool
    description: str


@dataclass
class OpDoc:
    """One REST operation in the reference."""

    op: Operation
    heading: str
    url: str
    params: list[ParamRow]
    curl: str
    python: str
    cli: str
    response: str | None
    response_title: str
    errors: list[tuple[int, ErrorDef]]
    anchor: str = ""


@dataclass
class WsDoc:
    """One WebSocket method in the reference."""

    method: WsMethod
    heading: str
    params: list[ParamRow]
    frame: str
    python: str
    cli: str
    reply: str | None
    push: str | None
    errors: list[tuple[int, ErrorDef]]
    anchor: str = ""


@dataclass
class Section:
    title: str
    description: str
    ops: list[Any] = field(default_factory=list)  # OpDoc | WsDoc
    anchor: str = ""


@dataclass
class DocsView:
    title: str
    rest: list[Section]
    ws: list[Section]
    common_errors: list[tuple[int, ErrorDef]]
    ws_common_errors: list[tuple[int, ErrorDef]]
    signature_rule: str
    ws_signature_rule: str
    note: str
    package: str
    anchors: dict[str, str] = field(
        default_factory=dict
    )  # heading id by "rest:<opId>" / "ws:<name>"


def _pretty(value: Any, indent: int = 0) -> str:
    """Indented JSON, with arrays of scalars (price levels, candles) kept on one line."""
    pad = "  " * (indent + 1)
    if isinstance(value, list) and value:
        if all(not isinstance(v, (list, dict)) for v in value):
            compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
            if len(compact) + len(pad) <= 100:
                return compact
        inner = ",\n".join(pad + _pretty(v, indent + 1) for v in value)
        return "[\n" + inner + "\n" + "  " * indent + "]"
    if isinstance(value, dict) and value:
        inner = ",\n".join(
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_pretty(v, indent + 1)}"
            for k, v in value.items()
        )
        return "{\n" + inner + "\n" + "  " * indent + "}"
    return json.dumps(value, ensure_ascii=False)


def _rest_param_rows(api: RestApi, op: Operation) -> list[ParamRow]:
    rows = [
        ParamRow(
            p.name,
            p.location,
            schema_type(p.schema, p.json_encoded),
            p.required,
            one_line(
                " ".join(
                    x
                    for x in (
                        p.description,
                        _allowed(p.schema),
                        f"Default: `{json.dumps(p.default)}`." if p.has_default else "",
                    )
                    if x
                )
            ),
        )
        for p in op.params
    ]
    sig = api.signature if op.signed else None
    if sig is not None:
        where = "form" if signed_location(op) == "body" else "query"
        rows.append(ParamRow(sig.key_parameter, where, "string", True, "Your API key."))
        rows.append(
            ParamRow(
                sig.parameter,
                where,
                "string",
                True,
                "The signature: see [Authentication](#authentication).",
            )
        )
    return rows


def _ws_param_rows(m: WsMethod) -> list[ParamRow]:
    rows = [
        ParamRow(
            p.name,
            str(i + 1),
            schema_type(p.schema),
            p.required,
            one_line(" ".join(x for x in (p.description, _allowed(p.schema)) if x)),
        )
        for i, p in enumerate(m.params)
    ]
    if m.variadic is not None:
        v: WsParam = m.variadic
        rows.append(
            ParamRow(
                v.name,
                f"{len(m.params) + 1}…",
                schema_type(v.schema),
                False,
                one_line("Any number of further values. " + (v.description or "")),
            )
        )
    return rows


def docs_view(project: Project) -> DocsView:
    api, ws = project.api, project.ws
    examples = spec_examples(project)
    rest: list[Section] = []
    if api is not None:
        for tag, ops in grouped(api, examples.rest_tags):
            section = Section(tag, examples.rest_tags.get(tag, ""))
            for op in ops:
                ex = examples.rest[op.operation_id]
                success = ex.success
                section.ops.append(
                    OpDoc(
                        op=op,
                        heading=op.method_name,
                        url=api.base_url + op.path,
                        params=_rest_param_rows(api, op),
                        curl=curl_sample(api, op, ex.args),
                        python=python_rest_sample(project, op, ex.args),
                        cli=cli_rest_sample(project, op, ex.args),
                        response=_pretty(success.value) if success else None,
                        response_title=(success.summary or success.name) if success else "",
                        errors=own_errors(op.errors, api.error_codes),
                    )
                )
            rest.append(section)
    ws_sections: list[Section] = []
    if ws is not None:
        framing = ws.framing
        groups = [
            ("request", "WebSocket requests", "One request, one reply (matched by id)."),
            (
                "subscribe",
                "WebSocket subscriptions",
                "Subscribe calls: the reply confirms, pushes follow.",
            ),
            ("unsubscribe", "WebSocket unsubscriptions", "Stop the pushes of a subscription."),
        ]
        for kind, title, description in groups:
            section = Section(title, description)
            for m in ws.methods:
                if m.kind != kind:
                    continue
                wex = examples.ws.get(m.name)
                args: tuple[Any, ...] = wex.args if wex else ()
                frame = (
                    {
                        framing.request_method: m.name,
                        framing.request_params: list(args),
                        framing.request_id: 1,
                    }
                    if framing
                    else {"method": m.name, "params": list(args)}
                )
                reply = wex.success if wex else None
                push = wex.pushes[0] if wex and wex.pushes else None
                internal = m.internal
                section.ops.append(
                    WsDoc(
                        method=m,
                        heading=m.name,
                        params=_ws_param_rows(m),
                        frame=json.dumps(frame, ensure_ascii=False),
                        python="" if internal else python_ws_sample(project, m, args),
                        cli="" if internal else cli_ws_sample(project, m, args),
                        reply=_pretty(reply.value) if reply else None,
                        push=_pretty(push.value) if push else None,
                        errors=own_errors(m.errors, ws.error_codes),
                    )
                )
            if section.ops:
                ws_sections.append(section)
    titles = [a.title for a in (api, ws) if a is not None]
    return DocsView(
        title=" and ".join(titles),
        rest=rest,
        ws=ws_sections,
        common_errors=sorted(api.error_codes.items()) if api else [],
        ws_common_errors=sorted(ws.error_codes.items()) if ws else [],
        signature_rule=signature_rule(api.signature) if api and api.signature else "",
        ws_signature_rule=signature_rule(ws.auth.signature) if ws and ws.auth else "",
        note=generated_note(project),
        package=project.package,
    )


def _demote(text: str, levels: int = 3) -> str:
    """Spec descriptions embedded in the reference: their headings move below ours."""
    out, fenced = [], False
    for line in (text or "").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,6}\s", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, hashes + levels) + line[hashes:]
        out.append(line)
    return "\n".join(out)


def _assign_anchors(view: DocsView, headings: list[Heading]) -> None:
    """Give every section and operation the id its heading got (headings come in view order)."""
    expected: list[tuple[int, str, Any]] = []
    for section in view.rest + view.ws:
        expected.append((1, section.title, section))
        for doc in section.ops:
            expected.append((2, doc.heading, doc))
    i = 0
    for heading in headings:
        if i < len(expected) and (heading.level, heading.text) == expected[i][:2]:
            expected[i][2].anchor = heading.id
            i += 1
    if i != len(expected):
        level, text, _ = expected[i]
        raise RuntimeError(
            f"docs/reference.md has no level-{level} heading {text!r} where expected"
        )
    for section in view.rest:
        for doc in section.ops:
            view.anchors["rest:" + doc.op.operation_id] = doc.anchor
    for section in view.ws:
        for doc in section.ops:
            view.anchors["ws:" + doc.method.name] = doc.anchor


def _docs_env(project: Project) -> None:
    project.env.filters.setdefault("demote", _demote)
    project.env.filters.setdefault("one_line", one_line)


def _view_with_anchors(project: Project) -> tuple[DocsView, str, list[Heading]]:
    if "docs" not in project.memo:
        project.memo["docs"] = _build_view_with_anchors(project)
    result: tuple[DocsView, str, list[Heading]] = project.memo["docs"]
    return result


def _build_view_with_anchors(project: Project) -> tuple[DocsView, str, list[Heading]]:
    _docs_env(project)
    view = docs_view(project)
    markdown = project.env.get_template(HTML_CONTENT_TEMPLATE).render(**project.context, docs=view)
    html, headings = to_html(markdown)
    _assign_anchors(view, headings)
    return view, html, headings


def render_docs(project: Project, template: str) -> str:
    """A docs template rendered with the context plus `docs` (the DocsView, anchors set)."""
    view, _, _ = _view_with_anchors(project)
    return project.env.get_template(template).render(**project.context, docs=view)


@dataclass
class NavItem:
    id: str
    text: str
    children: list[NavItem] = field(default_factory=list)


def render_html(project: Project, template: str) -> str:
    """`docs/index.html`: reference.md as one self-contained page with a navigation sidebar."""
    view, html, headings = _view_with_anchors(project)
    nav: list[NavItem] = []
    for heading in headings:
        if heading.level == 1:
            nav.append(NavItem(heading.id, heading.text))
        elif heading.level == 2 and nav:
            nav[-1].children.append(NavItem(heading.id, heading.text))
    return project.env.get_template(template).render(
        **project.context, docs=view, content=html, nav=nav
    )
