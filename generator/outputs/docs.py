"""The reference docs: `reference.md`, `llms.txt`, `llms-full.txt`, `sections/*.md`, `index.html`.

The docs templates (`docs/*.j2`) are rendered with the usual context plus `docs`, a view of the
model with the spec's examples, ready-made request samples (curl, Python, the CLI) and the field
tables of requests, responses and WebSocket messages (`fields.py`, read from the document model).
`index.html` is `reference.md` converted by `generator.outputs.markdown`, with a navigation built
from its headings and a prebuilt search index; `sections/` cuts `reference.md` at its top-level
headings, one page per section for llms.txt.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2
import jinja2.runtime

from generator.document import AsyncAPIModel, Message, OpenAPIModel, Schema, model_of
from generator.document import Operation as DocOperation
from generator.load import Resolver
from generator.model.ir import (
    ErrorDef,
    Operation,
    RestApi,
    WsMethod,
    WsParam,
)
from generator.model.types import merged_properties
from generator.outputs.common import (
    Project,
    generated_note,
    grouped,
    one_line,
    own_errors,
    signed_location,
    spec_examples,
)
from generator.outputs.fields import FieldRow, flattener, schema_rows
from generator.outputs.markdown import Blocks, Heading, highlight_css, to_html
from generator.outputs.samples import (
    cli_rest_sample,
    cli_ws_sample,
    curl_sample,
    python_rest_sample,
    python_ws_sample,
    signature_rule,
)
from generator.problems import SpecError, join_pointer
from generator.runtime._signing import placeholders

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
    fields: list[FieldRow] = field(default_factory=list)  # of the success response body
    fields_title: str = ""  # e.g. "200 application/json: Envelope whose result is ..."
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
    reply_fields: list[FieldRow] = field(default_factory=list)
    push_fields: list[FieldRow] = field(default_factory=list)
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
    summary: str = ""  # one line: what both halves offer (llms.txt)
    pages: list[Page] = field(default_factory=list)  # the per-section Markdown pages


@dataclass
class Page:
    """One top-level section of the reference as its own Markdown file (`sections/<id>.md`)."""

    id: str
    title: str
    path: str
    description: str = ""
    section: Section | None = None  # an operation group; None for the general sections


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


def _param_nodes(
    op: Operation, node: DocOperation | None, resolver: Resolver
) -> dict[str, tuple[Any, Any, str]]:
    """Each parameter's schema in the document (body properties too), by wire name."""
    out: dict[str, tuple[Any, Any, str]] = {}
    if node is None:
        return out
    for p in node.path_parameters + node.parameters:
        if p.schema is not None:
            out[p.name] = (p.schema.value, p.schema.location.doc, p.schema.location.pointer)
    body = node.request_body
    if body is not None:
        by_type = {m.media_type: m for m in body.content}
        media = by_type.get(op.body_media_type or "") or next(iter(body.content), None)
        if media is not None and media.schema is not None:
            where = media.schema.location
            out.update(merged_properties(media.schema.value, resolver, where.doc, where.pointer))
    return out


def _rest_param_rows(
    api: RestApi, op: Operation, node: DocOperation | None, resolver: Resolver | None
) -> list[ParamRow]:
    nodes = _param_nodes(op, node, resolver) if resolver is not None else {}
    rows: list[ParamRow] = []
    for p in op.params:
        rows.append(
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
        )
        if resolver is not None and p.name in nodes:
            rows += [
                ParamRow(r.name, p.location, r.type, bool(r.required), r.description)
                for r in flattener(resolver).rows(nodes[p.name], p.name)
            ]
    sig = api.signature if op.signed else None
    if sig is not None:
        where = "form" if signed_location(op) == "body" else "query"
        rows += [
            ParamRow(n, where, "string", True, _signed_text(t)) for n, t in sig.sent_parameters
        ]
        rows += [ParamRow(n, "header", "string", True, _signed_text(t)) for n, t in sig.headers]
    return rows


def _signed_text(template: str) -> str:
    """The description of a parameter or header the signature adds."""
    if template == "{api_key}":
        return "Your API key."
    if "signature" in placeholders(template):
        return "The signature: see [Authentication](#authentication)."
    return f"`{template}`: see [Authentication](#authentication)."


def _response_fields(node: DocOperation | None, resolver: Resolver) -> tuple[list[FieldRow], str]:
    """The fields of an operation's first 2xx JSON response, and a title for them."""
    for response in sorted(node.responses if node else [], key=lambda r: r.status):
        if not response.status.startswith("2"):
            continue
        media = next((m for m in response.content if "json" in m.media_type), None)
        if media is None or media.schema is None:
            continue
        title = f"`{response.status}` `{media.media_type}`"
        if response.description:
            title += ": " + one_line(response.description)
        return schema_rows(media.schema, resolver), title
    return [], ""


def _ws_messages(model: AsyncAPIModel | None) -> dict[tuple[str, str], Message]:
    """The AsyncAPI messages by their `x-rpc-method` (name, kind)."""
    out: dict[tuple[str, str], Message] = {}
    for message in model.messages if model is not None else []:
        extension = message.extensions.get("x-rpc-method")
        rpc = extension.value if extension is not None else None
        if isinstance(rpc, dict) and "name" in rpc and "kind" in rpc:
            out.setdefault((str(rpc["name"]), str(rpc["kind"])), message)
    return out


def _payload_rows(message: Message | None, resolver: Resolver | None) -> list[FieldRow]:
    payload: Schema | None = message.payload if message is not None else None
    return schema_rows(payload, resolver) if resolver is not None else []


_Node = tuple[Any, Any, str]  # a schema value, its Document and pointer


def _ws_param_nodes(
    message: Message | None, resolver: Resolver | None, key: str
) -> tuple[list[_Node], _Node | None]:
    """The schemas of a request's positional parameters (the `key` array of its payload), and
    of the further values of a variadic one."""
    if message is None or message.payload is None or resolver is None:
        return [], None
    where = message.payload.location
    try:
        payload = resolver.follow(message.payload.value, where.doc, where.pointer)
        props = payload.value.get("properties") if isinstance(payload.value, dict) else None
        if not isinstance(props, dict) or key not in props:
            return [], None
        params = resolver.follow(
            props[key], payload.doc, join_pointer(payload.pointer, "properties", key)
        )
    except SpecError:
        return [], None
    node, doc, pointer = params.value, params.doc, params.pointer
    if not isinstance(node, dict):
        return [], None
    word = "prefixItems" if "prefixItems" in node else "items"
    items = node.get(word)
    if isinstance(items, dict):
        return [], (items, doc, join_pointer(pointer, word))
    positional = [
        (item, doc, join_pointer(pointer, word, i))
        for i, item in enumerate(items if isinstance(items, list) else [])
    ]
    rest_word = "items" if word == "prefixItems" else "additionalItems"
    rest = node.get(rest_word)
    return positional, (rest, doc, join_pointer(pointer, rest_word)) if isinstance(
        rest, dict
    ) else None


def _ws_param_rows(
    m: WsMethod, message: Message | None, resolver: Resolver | None, key: str
) -> list[ParamRow]:
    positional, further = _ws_param_nodes(message, resolver, key)

    def nested(name: str, position: str, node: _Node | None) -> list[ParamRow]:
        if node is None or resolver is None:
            return []
        rows = flattener(resolver).rows(node, name)
        return [ParamRow(r.name, position, r.type, bool(r.required), r.description) for r in rows]

    rows: list[ParamRow] = []
    for i, p in enumerate(m.params):
        description = one_line(" ".join(x for x in (p.description, _allowed(p.schema)) if x))
        rows.append(ParamRow(p.name, str(i + 1), schema_type(p.schema), p.required, description))
        rows += nested(p.name, str(i + 1), positional[i] if i < len(positional) else None)
    if m.variadic is not None:
        v: WsParam = m.variadic
        position = f"{len(m.params) + 1}…"
        rows.append(
            ParamRow(
                v.name,
                position,
                schema_type(v.schema),
                False,
                one_line("Any number of further values. " + (v.description or "")),
            )
        )
        rows += nested(v.name, position, further)
    return rows


def docs_view(project: Project) -> DocsView:
    api, ws = project.api, project.ws
    examples = spec_examples(project)
    rest: list[Section] = []
    rest_model = model_of(project.documents["openapi"]) if "openapi" in project.documents else None
    ws_model = model_of(project.documents["asyncapi"]) if "asyncapi" in project.documents else None
    if api is not None:
        nodes: dict[tuple[str, str], DocOperation] = {}
        resolver = rest_model.resolver if isinstance(rest_model, OpenAPIModel) else None
        if isinstance(rest_model, OpenAPIModel):
            nodes = {(n.path, n.method): n for n in rest_model.operations}
        for tag, ops in grouped(api, examples.rest_tags):
            section = Section(tag, examples.rest_tags.get(tag, ""))
            for op in ops:
                ex = examples.rest[op.operation_id]
                success = ex.success
                node = nodes.get((op.path, op.http_method.lower()))
                fields, fields_title = (
                    _response_fields(node, resolver) if resolver is not None else ([], "")
                )
                section.ops.append(
                    OpDoc(
                        op=op,
                        heading=op.method_name,
                        url=api.base_url + op.path,
                        params=_rest_param_rows(api, op, node, resolver),
                        curl=curl_sample(api, op, ex.args),
                        python=python_rest_sample(project, op, ex.args),
                        cli=cli_rest_sample(project, op, ex.args),
                        response=_pretty(success.value) if success else None,
                        response_title=(success.summary or success.name) if success else "",
                        errors=own_errors(op.errors, api.error_codes),
                        fields=fields,
                        fields_title=fields_title,
                    )
                )
            rest.append(section)
    ws_sections: list[Section] = []
    if ws is not None:
        async_model = ws_model if isinstance(ws_model, AsyncAPIModel) else None
        messages = _ws_messages(async_model)
        ws_resolver = async_model.resolver if async_model is not None else None
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
                        params=_ws_param_rows(
                            m,
                            messages.get((m.name, m.kind)),
                            ws_resolver,
                            framing.request_params if framing else "params",
                        ),
                        frame=json.dumps(frame, ensure_ascii=False),
                        python="" if internal else python_ws_sample(project, m, args),
                        cli="" if internal else cli_ws_sample(project, m, args),
                        reply=_pretty(reply.value) if reply else None,
                        push=_pretty(push.value) if push else None,
                        errors=own_errors(m.errors, ws.error_codes),
                        reply_fields=_payload_rows(messages.get((m.name, "reply")), ws_resolver),
                        push_fields=_payload_rows(
                            messages.get((m.push, "push")) if m.push else None, ws_resolver
                        ),
                    )
                )
            if section.ops:
                ws_sections.append(section)
    titles = [a.title for a in (api, ws) if a is not None]
    offers = []
    if api is not None:
        offers.append(f"{len(api.operations)} REST operations at `{api.base_url}`")
    if ws is not None:
        offers.append(
            f"{len(ws.methods)} WebSocket methods (requests, subscriptions and their pushes) "
            f"at `{ws.url}`"
        )
    described = api or ws
    first = (described.description if described else "").strip().split("\n\n")[0]
    summary = one_line(
        " and ".join(offers)
        + ", each with request samples, parameter and response field tables and error codes. "
        + first
    )
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
        summary=summary,
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


@jinja2.pass_context
def _block(context: jinja2.runtime.Context, text: str) -> str:
    """A table or fence of the docs: set aside when rendering for index.html (markdown.Blocks)."""
    blocks = context.get("md_blocks")
    return blocks.add(text) if isinstance(blocks, Blocks) else text


def _docs_env(project: Project) -> None:
    project.env.filters.setdefault("demote", _demote)
    project.env.filters.setdefault("one_line", one_line)
    project.env.filters.setdefault("block", _block)


@dataclass
class _Built:
    view: DocsView
    markdown: str  # reference.md
    html: str  # its HTML
    headings: list[Heading]


def _view_with_anchors(project: Project) -> _Built:
    if "docs" not in project.memo:
        project.memo["docs"] = _build_view_with_anchors(project)
    built: _Built = project.memo["docs"]
    return built


def _build_view_with_anchors(project: Project) -> _Built:
    _docs_env(project)
    view = docs_view(project)
    template = project.env.get_template(HTML_CONTENT_TEMPLATE)
    markdown = template.render(**project.context, docs=view)
    blocks = Blocks()
    prepared = template.render(**project.context, docs=view, md_blocks=blocks)
    html, headings = to_html(markdown, (prepared, blocks))
    _assign_anchors(view, headings)
    sections = {s.anchor: s for s in view.rest + view.ws}
    for heading in headings:
        if heading.level == 1 and heading.line is not None:
            section = sections.get(heading.id)
            view.pages.append(
                Page(
                    heading.id,
                    heading.text,
                    f"sections/{heading.id}.md",
                    section.description if section else "",
                    section,
                )
            )
    return _Built(view, markdown, html, headings)


def render_docs(project: Project, template: str) -> str:
    """A docs template rendered with the context plus `docs` (the DocsView, anchors set)."""
    view = _view_with_anchors(project).view
    return project.env.get_template(template).render(**project.context, docs=view)


_LOCAL_LINK = re.compile(r"\]\(#([^)\s]+)\)")


def render_pages(project: Project, template: str) -> dict[str, str]:
    """`sections/<id>.md`: each top-level section of reference.md as a page of its own, for
    llms.txt. Links to a section go to its page, others to index.html."""
    built = _view_with_anchors(project)
    lines = built.markdown.split("\n")
    starts = [h.line for h in built.headings if h.level == 1 and h.line is not None]
    ids = {page.id for page in built.view.pages}

    def link(match: re.Match[str]) -> str:
        target = match.group(1)
        return f"]({target}.md)" if target in ids else f"](../index.html#{target})"

    header = project.context["md_header"]
    pages: dict[str, str] = {}
    for page, start, end in zip(built.view.pages, starts, [*starts[1:], len(lines)], strict=True):
        chunk = "\n".join(lines[start:end]).strip()
        pages[page.path.removeprefix("sections/")] = (
            header + "\n\n" + _LOCAL_LINK.sub(link, chunk) + "\n"
        )
    return pages


@dataclass
class NavItem:
    id: str
    text: str
    children: list[NavItem] = field(default_factory=list)


_MARKUP = re.compile(r"\[([^\]]*)\]\([^)\s]*\)|[`*]+|\\(?=[|\\`*_])")


def _words(*texts: str) -> str:
    """Descriptions as plain words for the search index (links keep their text)."""
    return " ".join(" ".join(_MARKUP.sub(r"\1", t).split()) for t in texts if t)


def search_index(view: DocsView, nav: list[NavItem]) -> list[dict[str, str]]:
    """The page's search entries: every section and operation with its words (id, title, group,
    summary, text: descriptions, parameter and field names and their descriptions)."""
    by_id: dict[str, tuple[Section | None, Any]] = {}
    for group_section in view.rest + view.ws:
        by_id[group_section.anchor] = (group_section, None)
        for op_doc in group_section.ops:
            by_id[op_doc.anchor] = (group_section, op_doc)
    out: list[dict[str, str]] = []
    for group in nav:
        for item, parent in [(group, ""), *((child, group.text) for child in group.children)]:
            section, doc = by_id.get(item.id, (None, None))
            summary, text = "", ""
            rows: list[ParamRow | FieldRow] = []
            if isinstance(doc, OpDoc):
                summary = doc.op.summary
                rows = [*doc.params, *doc.fields]
                text = _words(doc.op.path, doc.op.description)
            elif isinstance(doc, WsDoc):
                summary = doc.method.summary
                rows = [*doc.params, *doc.reply_fields, *doc.push_fields]
                text = _words(doc.method.description)
            elif section is not None:
                text = _words(section.description)
            text = _words(text, *(f"{r.name} {r.description}" for r in rows))
            out.append(
                {"id": item.id, "t": item.text, "g": parent, "s": _words(summary), "x": text}
            )
    return out


def render_html(project: Project, template: str) -> str:
    """`docs/index.html`: reference.md as one self-contained page with a navigation sidebar,
    highlighted code (Pygments) and a prebuilt search index."""
    built = _view_with_anchors(project)
    view, html, headings = built.view, built.html, built.headings
    nav: list[NavItem] = []
    for heading in headings:
        if heading.level == 1:
            nav.append(NavItem(heading.id, heading.text))
        elif heading.level == 2 and nav:
            nav[-1].children.append(NavItem(heading.id, heading.text))
    index = json.dumps(search_index(view, nav), ensure_ascii=False, separators=(",", ":"))
    return project.env.get_template(template).render(
        **project.context,
        docs=view,
        content=html,
        nav=nav,
        search_index=index.replace("</", "<\\/"),
        highlight_css=highlight_css(".highlight"),
    )
