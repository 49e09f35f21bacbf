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
    assert "<ul>\n<li>request: <code>{&quot;method&quot;: ...}</code>\ncontinued</li>\n<li>reply</li>" in html
    assert '<pre class="highlight" data-lang="python"><code><span class="kn">import</span>' in html
    assert '<div class="table">\n<table>' in html and "<td><code>x|y</code></td>" in html
    # raw HTML is shown, unsafe links are not links
    assert "&lt;b&gt;raw&lt;/b&gt;" in html and '<a href="#intro-v2">ok</a>' in html
    assert 'href="javascript' not in html


def test_highlight_css_is_scoped() -> None:
    css = highlight_css(".highlight")
    assert css and all(line.startswith(".highlight") for line in css.splitlines())
    assert ".highlight .k " in css
