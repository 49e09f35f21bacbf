"""Markdown to HTML for `docs/index.html`: markdown-it-py (CommonMark with tables) and Pygments.

Raw HTML in the Markdown is shown, never interpreted (`html` off), and links go through
markdown-it's own URL check. A YAML front matter block and HTML comments before the first block
(the generated-file header) are dropped. Fenced code is highlighted by Pygments into
`<pre class="highlight" data-lang="...">` with class names only; `highlight_css()` is their style.

Heading ids follow Slate (redcarpet with its unique-head renderer): the text is lower-cased,
every run of other characters than letters and digits becomes one "-", and the n-th repeat of
an id gets "-n" appended. `to_html` returns the headings with their ids for the navigation.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["Heading", "Slugger", "highlight_css", "plain", "to_html"]

STYLE = "github-dark"
_FORMATTER = HtmlFormatter(nowrap=True, style=STYLE)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text (inline markup removed)
    id: str
    line: int | None = None  # 0-based line in the Markdown, for headings outside any container


class Slugger:
    """Slate-compatible heading ids, unique within one document."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
        self.counts[base] = self.counts.get(base, 0) + 1
        n = self.counts[base]
        return base if n == 1 else f"{base}-{n}"


@functools.cache
def _lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: str) -> str:
    data = f' data-lang="{html.escape(lang)}"' if lang else ""
    lexer = _lexer(lang)
    body = highlight(code, lexer, _FORMATTER) if lexer else html.escape(code, quote=False)
    return f'<pre class="highlight"{data}><code>{body.rstrip(chr(10))}</code></pre>'


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return '<div class="table">\n' + str(self.renderToken(tokens, idx, options, env))


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


_MD = _parser()


def highlight_css(scope: str = ".highlight") -> str:
    """The CSS of the highlighted code blocks (Pygments' style `STYLE`)."""
    lines = str(_FORMATTER.get_style_defs(scope)).splitlines()  # type: ignore[no-untyped-call]
    return "\n".join(line for line in lines if line.startswith(scope))


def plain(text: str) -> str:
    """Inline Markdown reduced to its text (for heading ids, the navigation and search)."""
    tokens = _MD.parseInline(text)
    return "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for token in tokens
        for child in token.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    )


def _strip_preamble(markdown: str) -> tuple[str, int]:
    """Drop a front matter block and the HTML comments before the first block; also the number
    of lines dropped."""
    text = markdown.replace("\r\n", "\n")
    rest = text
    if rest.startswith("---\n"):
        end = rest.find("\n---\n", 4)
        if end != -1:
            rest = rest[end + 5 :]
    while True:
        stripped = rest.lstrip()
        if not stripped.startswith("<!--") or "-->" not in stripped:
            break
        rest = stripped[stripped.index("-->") + 3 :]
    stripped = rest.lstrip()
    return stripped, text[: len(text) - len(stripped)].count("\n")


def to_html(markdown: str) -> tuple[str, list[Heading]]:
    """(HTML, headings) of a Markdown document."""
    text, offset = _strip_preamble(markdown)
    tokens = _MD.parse(text)
    headings: list[Heading] = []
    slugger = Slugger()
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            words = "".join(
                c.content for c in inline.children or [] if c.type in ("text", "code_inline")
            )
            ident = slugger.slug(words)
            token.attrSet("id", ident)
            line = token.map[0] + offset if token.map and token.level == 0 else None
            headings.append(Heading(int(token.tag[1]), words, ident, line))
    return str(_MD.renderer.render(tokens, _MD.options, {})), headings
