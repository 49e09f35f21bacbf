"""The generated reference docs: reference.md, llms.txt and llms-full.txt against the specs."""

from __future__ import annotations

import re

import pytest
from support.docs import REST, REST_NAMES, WS_NAMES, read, sections

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
    assert sorted(h for h, bodies in sections(full).items() for _ in bodies) == sorted(REST_NAMES + WS_NAMES)
