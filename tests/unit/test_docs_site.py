"""The generated reference docs: reference.md, llms.txt and llms-full.txt against the specs."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from llms_txt import parse_llms_file
from support.docs import (
    DOCS,
    REST,
    REST_NAMES,
    WS,
    WS_NAMES,
    one_line,
    read,
    rest_response_descriptions,
    sections,
    ws_message_descriptions,
)

pytestmark = pytest.mark.timeout(180)


# ------------------------------------------------------------------ Markdown and llms files


def test_reference_has_every_operation_and_method() -> None:
    text = read("reference.md")
    assert text.startswith("---\ntitle: ")  # Slate front matter
    found = sections(text)
    assert sorted(h for h, bodies in found.items() for _ in bodies) == sorted(REST_NAMES + WS_NAMES)
    for name in REST_NAMES:
        (body,) = [b for b in found[name] if "### HTTP Request" in b]
        assert re.search(r"^curl -[XG] ", body, re.MULTILINE), name
        assert "```python\nimport hotbit" in body, name
        assert "### Parameters" in body and "### Errors" in body, name
        assert "> Example response" in body, name
    put_limit = found["order.put_limit"][0]
    for code, error in REST["paths"]["/p2/order.put_limit"]["post"]["x-errors"].items():
        assert f"| {code} | `{error['name']}` |" in put_limit
    assert "SIGN=$(printf" in found["balance.query"][0] and "SIGN=" not in found["market.last"][0]


def test_llms_files() -> None:
    index = read("llms.txt")
    lines = index.splitlines()
    assert lines[0].startswith("# ") and lines[2].startswith("> ")
    links = re.findall(r"^- \[([^\]]+)\]\(index\.html#([\w-]+)\)", index, re.MULTILINE)
    assert sorted(name for name, _ in links) == sorted(REST_NAMES + WS_NAMES)
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', read("index.html")))
    assert {anchor for _, anchor in links} <= ids
    assert len({anchor for _, anchor in links}) == len(links)
    full = read("llms-full.txt")
    assert full.startswith("# ") and "title:" not in full.split("\n", 3)[1]
    assert sorted(h for h, bodies in sections(full).items() for _ in bodies) == sorted(
        REST_NAMES + WS_NAMES
    )


def test_response_field_tables_carry_every_description_under_their_operation() -> None:
    for name in ("reference.md", "llms-full.txt"):
        found = sections(read(name))
        rest = rest_response_descriptions()
        assert sum(len(set(d)) for d in rest.values()) >= 31  # the REST spec's response fields
        for method, descriptions in rest.items():
            (body,) = [b for b in found[method] if "### HTTP Request" in b]
            table = body.split("### Response\n", 1)[1].split("\n### ", 1)[0]
            assert "| Field | Type | Required | Description |" in table, method
            for text in descriptions:
                assert one_line(text) in table, (name, method, text)
        for method, descriptions in ws_message_descriptions().items():
            (body,) = [b for b in found[method] if "> Request frame:" in b]
            assert descriptions, method
            for text in descriptions:
                assert one_line(text) in body, (name, method, text)


def test_signing_rules_have_no_empty_placeholders() -> None:
    """The rules come from the specs' signature objects: nothing left blank, no `{canonical}`
    where the payload has none (the WebSocket auth signs only the key pair)."""
    ws_payload = WS["x-rpc"]["auth"]["signature"]["payload"]
    assert "{canonical}" not in ws_payload
    for name in ("reference.md", "llms-full.txt", "index.html"):
        text = read(name)
        assert "``" not in text.replace("```", ""), name
        assert "<code></code>" not in text, name
    auth = next(line for line in read("reference.md").splitlines() if "`{signature}` =" in line)
    assert f"`{ws_payload}`." in auth and "{canonical}" not in auth
    rest_rule = next(
        line for line in read("reference.md").splitlines() if line.startswith("`sign` =")
    )
    sig = REST["x-signature"]
    assert (
        f"except `{sig['parameter']}` (the key parameter `{sig['key-parameter']}` included)"
        in rest_rule
    )


class _Blocks(HTMLParser):
    """The text of every <p> and <li> outside <pre> of the HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.spans = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li"):
            self.stack.append(tag)
            self.texts.append("")
        if tag == "span" and ("class", "k") in attrs:
            self.spans += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.texts[-1] += data


def test_html_lists_tables_and_highlighting() -> None:
    page = read("index.html")
    blocks = _Blocks()
    blocks.feed(page)
    # Markdown lists are lists, never paragraphs with literal bullets (the WebSocket "Framing" one)
    assert not [t for t in blocks.texts if re.search(r"(^|\n)\s*[*+-] \S", t)]
    framing = WS["info"]["description"].split("## Framing", 1)[1].split("\n## ", 1)[0]
    bullets = re.findall(r"^\* (\w+)", framing, re.MULTILINE)
    assert bullets and all(any(t.startswith(word) for t in blocks.texts) for word in bullets)
    assert page.count('<pre class="highlight" data-lang="python">') >= len(REST_NAMES)
    assert blocks.spans > 100  # Pygments keyword tokens
    assert page.count('<div class="table">') > len(REST_NAMES) + len(WS_NAMES)
    assert "<script src" not in page and "<link " not in page  # offline


def test_llms_txt_parses_with_the_reference_parser() -> None:
    text = read("llms.txt")
    assert "<!--" not in text
    parsed = parse_llms_file(text)
    assert parsed.title == REST["info"]["title"] + " and " + WS["info"]["title"]
    assert "REST" in parsed.summary and "WebSocket" in parsed.summary
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', read("index.html")))
    named: list[str] = []
    for title, links in parsed.sections.items():
        assert links, title
        for link in links:
            url = link["url"]
            assert "://" not in url and not url.startswith(("/", "..")), url
            path, _, anchor = url.partition("#")
            assert (DOCS / path).is_file(), url
            if anchor:
                assert path == "index.html" and anchor in ids, url
            named.append(link["title"])
    assert sorted(n for n in named if n in REST_NAMES + WS_NAMES) == sorted(REST_NAMES + WS_NAMES)
    pages = [
        link["url"]
        for links in parsed.sections.values()
        for link in links
        if link["url"].startswith("sections/")
    ]
    assert sorted(pages) == sorted(f"sections/{p.name}" for p in (DOCS / "sections").glob("*.md"))
    for page in pages:
        body = read(page)
        assert "\n# " in body and "](#" not in body, page
