"""Markdown to HTML of the docs page (generator/outputs/markdown.py: markdown-it-py + Pygments)."""

from __future__ import annotations

import pytest

from generator.outputs.markdown import Heading, highlight_css, to_html

pytestmark = pytest.mark.timeout(60)

SOURCE = """---
title: x
---

<!-- generated header -->

# Intro `v2`

Framing:
* request: `{"method": ...}`
  continued
* reply

## order.put_limit

```python
import x
```

| a | b |
| --- | --- |
| `x\\|y` | <b>raw</b> [ok](#intro-v2) [bad](javascript:alert(1)) |

## order.put_limit

> #### Nested
"""


def test_headings_lists_tables_code_and_escaping() -> None:
    html, headings = to_html(SOURCE)
    # Slate ids, unique, with the line each top-level heading starts on (front matter counted)
    assert headings == [
        Heading(1, "Intro v2", "intro-v2", 6),
        Heading(2, "order.put_limit", "order-put-limit", 13),
        Heading(2, "order.put_limit", "order-put-limit-2", 23),
        Heading(4, "Nested", "nested", None),
    ]
    assert SOURCE.split("\n")[6] == "# Intro `v2`"
    assert "title: x" not in html and "generated header" not in html
    assert '<h1 id="intro-v2">Intro <code>v2</code></h1>' in html
    # a list right after a paragraph line is a list (CommonMark), continuation lines included
    assert (
        "<ul>\n<li>request: <code>{&quot;method&quot;: ...}</code>\ncontinued</li>\n<li>reply</li>"
        in html
    )
    assert '<pre class="highlight" data-lang="python"><code><span class="kn">import</span>' in html
    assert '<div class="table">\n<table>' in html and "<td><code>x|y</code></td>" in html
    # raw HTML is shown, unsafe links are not links
    assert "&lt;b&gt;raw&lt;/b&gt;" in html and '<a href="#intro-v2">ok</a>' in html
    assert 'href="javascript' not in html


def test_highlight_css_is_scoped() -> None:
    css = highlight_css(".highlight")
    assert css and all(line.startswith(".highlight") for line in css.splitlines())
    assert ".highlight .k " in css


BLOCKS = [
    "| a | b |\n| --- | --- |\n| `x\\|y` | y \\| z |\n| only one |\n| 1 | 2 | 3 |\n",
    "| Code | Error |\n| --- | --- |\n",  # no rows: no tbody
    '| `n` | t |\n| --- | --- |\n| **b** _i_ [ref][r] <https://x.example> &amp; &copy; | a<b>"c" |\n',
    "| a\u2003 | \u00a0b |\n| --- | --- |\n| \u2002x\u2002 | \\\\ |\n",
    "| a | b |\n| :-- | --: |\n| left | right |\n",  # alignments: markdown-it's way
    "| a |\n| --- | --- |\n| 1 |\n",  # not a table (column counts differ)
    '```json\n{"a": [1, 2.5, "s"]}\n```\n',
    "```shell\ncurl -G 'https://x.example/v1?a=1' \\\n  -H 'X: y'\n```\n",
    "```python\nimport x\n\n\nprint(x)\n```\n",
    "```\nno language\n```\n",
    "```json\n```\n",  # empty
    "```python\n```inner\nstill code?\n```\n",  # an inner fence line: markdown-it decides
    "~~~\ntilde\n~~~\n",
    "```py {.x}\nattrs\n```\n",
]


@pytest.mark.parametrize("block", BLOCKS)
def test_set_aside_blocks_convert_like_markdown_it(
    block: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.outputs import markdown
    from generator.outputs.markdown import Blocks

    parts = ["# Title\n\n", block, "\n[r]: https://ref.example\n\n## Next\n\ntext\n"]
    blocks = Blocks()
    prepared = parts[0] + blocks.add(block) + parts[2]
    source = "".join(parts)
    assert prepared.count("\n") == source.count("\n")
    inserted: list[object] = []
    real = markdown._insert
    monkeypatch.setattr(markdown, "_insert", lambda *a: inserted.append(found := real(*a)) or found)
    assert to_html(source, (prepared, blocks)) == to_html(source)
    assert inserted[0] is not None  # the placeholder was found: the block was set aside


def test_simple_blocks_skip_markdown_it_and_odd_placements_fall_back() -> None:
    from generator.outputs import markdown
    from generator.outputs.markdown import Blocks

    converter = markdown._Converter({})
    assert converter.table(BLOCKS[0].rstrip("\n").split("\n")) is not None
    assert converter.table(BLOCKS[4].rstrip("\n").split("\n")) is None  # alignments
    assert converter.fence(BLOCKS[6].rstrip("\n").split("\n")) is not None
    assert converter.fence(BLOCKS[11].rstrip("\n").split("\n")) is None
    # a block inside a tight list item is not a paragraph of its own: the whole text is converted
    blocks = Blocks()
    source = "- item\n  " + BLOCKS[6].replace("\n", "\n  ", 2)
    prepared = "- item\n  " + blocks.add(BLOCKS[6])
    assert prepared.count("\n") == source.count("\n")
    assert to_html(source, (prepared, blocks)) == to_html(source)
    # a placeholder the text repeats also falls back
    blocks = Blocks()
    table = "| a |\n| --- |\n| b |\n"
    once = blocks.add(table)
    source = table + "\n" + table
    assert to_html(source, (once + "\n" + once, blocks)) == to_html(source)
