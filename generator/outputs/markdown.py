"""Markdown to HTML for `docs/index.html`: markdown-it-py (CommonMark with tables) and Pygments.

Raw HTML in the Markdown is shown, never interpreted (`html` off), and links go through
markdown-it's own URL check. A YAML front matter block and HTML comments before the first block
(the generated-file header) are dropped. Fenced code is highlighted by Pygments into
`<pre class="highlight" data-lang="...">` with class names only; `highlight_css()` is their style.

Heading ids follow Slate (redcarpet with its unique-head renderer): the text is lower-cased,
every run of other characters than letters and digits becomes one "-", and the n-th repeat of
an id gets "-n" appended. `to_html` returns the headings with their ids for the navigation.

Tables and fenced code that a template sets aside (`Blocks`) skip markdown-it's block parser: a
simple pipe table is rendered row by row (each distinct cell text converted once), a fence goes
straight to Pygments. The HTML is the same as markdown-it's; what is not simple goes through
markdown-it as before.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS, escapeHtml
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["Blocks", "Heading", "Slugger", "highlight_css", "plain", "to_html"]

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


_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000([0-9]+)\ue001")
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]!<>&~\n]")  # a cell without these is plain text
_DELIMITER_ROW = re.compile(r"\|(?: *-+ *\|)+")
_FENCE_INFO = re.compile(r"[A-Za-z0-9_+-]*")
_FENCE_LIKE = re.compile(r" {0,3}(?:```|~~~)")
_MAX_AUTOCOMPLETED_CELLS = 0x10000  # markdown-it's own limit (rules_block/table.py)


class Blocks:
    """Tables and fenced code blocks of a Markdown document, set aside to be converted on their own.

    `add(text)` (the docs templates' `block` filter) records a block and returns what the text
    markdown-it parses holds instead: a one-line placeholder and as many newlines as the block
    had, so every other line keeps its number (headings, `Heading.line`)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, text: str) -> str:
        self.texts.append(text)
        return _PLACEHOLDER.format(len(self.texts) - 1) + "\n" * text.count("\n")


class _Converter:
    """The HTML of set-aside blocks, as markdown-it renders them in the document (same `env`)."""

    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env
        self.cells: dict[str, str] = {}

    def inline(self, text: str) -> str:
        found = self.cells.get(text)
        if found is None:
            if _INLINE_SYNTAX.search(text) is None:
                found = escapeHtml(text)
            else:
                found = str(_MD.renderInline(text, self.env))
            self.cells[text] = found
        return found

    def block(self, text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        lines = text.rstrip("\n").split("\n")
        html = self.table(lines) if lines[0].startswith("|") else self.fence(lines)
        return html if html is not None else str(_MD.render(text, self.env))

    def table(self, lines: list[str]) -> str | None:
        """A pipe table whose every line starts with `|`, without alignments; else None."""
        if len(lines) < 2 or not _DELIMITER_ROW.fullmatch(lines[1]):
            return None
        header = self.cells_of(lines[0])
        if len(header) != lines[1].count("|") - 1 or not all(x.startswith("|") for x in lines):
            return None
        out = ['<div class="table">\n<table>\n<thead>\n<tr>\n']
        out += [f"<th>{self.inline(cell)}</th>\n" for cell in header]
        out.append("</tr>\n</thead>\n")
        width, missing = len(header), 0
        for i, line in enumerate(lines[2:]):
            cells = self.cells_of(line)
            missing += width - len(cells)
            if missing > _MAX_AUTOCOMPLETED_CELLS:
                return None
            out.append("<tbody>\n<tr>\n" if i == 0 else "<tr>\n")
            cells += [""] * (width - len(cells))
            out += [f"<td>{self.inline(cell)}</td>\n" for cell in cells[:width]]
            out.append("</tr>\n")
        out.append("</tbody>\n</table>\n</div>\n" if len(lines) > 2 else "</table>\n</div>\n")
        return "".join(out)

    @staticmethod
    def cells_of(line: str) -> list[str]:
        line = line.strip(MD_TRIM_CHARS)
        cells = escapedSplit(line) if "\\" in line else line.split("|")
        if cells and cells[0] == "":
            cells.pop(0)
        if cells and cells[-1] == "":
            cells.pop()
        return [cell.strip(MD_TRIM_CHARS) for cell in cells]

    @staticmethod
    def fence(lines: list[str]) -> str | None:
        """A fence of three backticks at the margin, a plain language and no inner fence line."""
        info = lines[0][3:]
        if (
            len(lines) < 2
            or not lines[0].startswith("```")
            or lines[-1] != "```"
            or not _FENCE_INFO.fullmatch(info)
            or any(_FENCE_LIKE.match(line) for line in lines[1:-1])
        ):
            return None
        code = "".join(line + "\n" for line in lines[1:-1])
        return _highlight(code, info, "") + "\n"


def _insert(tokens: list[Token], blocks: Blocks, env: dict[str, Any]) -> list[Token] | None:
    """`tokens` with each placeholder paragraph replaced by its block's HTML; None unless every
    block is found exactly once, as a paragraph of its own."""
    converter = _Converter(env)
    out: list[Token] = []
    found: set[int] = set()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        match = None
        if token.type == "paragraph_open" and not token.hidden and i + 2 < len(tokens):
            match = _PLACEHOLDER_RE.fullmatch(tokens[i + 1].content)
        if match is None:
            out.append(token)
            i += 1
            continue
        n = int(match.group(1))
        if n in found or n >= len(blocks.texts):
            return None
        found.add(n)
        html = Token("html_block", "", 0, content=converter.block(blocks.texts[n]))
        html.map, html.level = token.map, token.level
        out.append(html)
        i += 3
    return out if len(found) == len(blocks.texts) else None


def to_html(markdown: str, prepared: tuple[str, Blocks] | None = None) -> tuple[str, list[Heading]]:
    """(HTML, headings) of a Markdown document. `prepared`: the same document with its blocks set
    aside (rendered with a `Blocks`), the fast way to the same result."""
    tokens: list[Token] | None = None
    env: dict[str, Any] = {}
    if prepared is not None and prepared[0].count("\n") == markdown.count("\n"):
        text, offset = _strip_preamble(prepared[0])
        tokens = _insert(_MD.parse(text, env), prepared[1], env)
    if tokens is None:
        env = {}
        text, offset = _strip_preamble(markdown)
        tokens = _MD.parse(text, env)
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
    return str(_MD.renderer.render(tokens, _MD.options, env)), headings
