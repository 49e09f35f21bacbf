"""A small Markdown to HTML converter for the subset the reference docs use.

The generator has no Markdown dependency; `docs/reference.md` is rendered by our own templates, so
only this subset needs to be understood: an optional YAML front matter block (skipped), ATX
headings, paragraphs, fenced code blocks, pipe tables, HTML comments (dropped), `-`/`*`/`1.` lists (one level, with
continuation lines), `>` blockquotes, and inline code, `**bold**`, `*emphasis*` and `[links](url)`.
Spec descriptions use the same subset. Every piece of text is HTML-escaped: raw HTML in the
Markdown is shown, never interpreted.

Heading ids follow Slate (redcarpet with its unique-head renderer): the text is lower-cased,
every run of other characters than letters and digits becomes one "-", and the n-th repeat of
an id gets "-n" appended. `to_html` returns the headings with their ids for the navigation.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = ["Heading", "Slugger", "to_html"]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text (inline markup removed)
    id: str


class Slugger:
    """Slate-compatible heading ids, unique within one document."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
        self.counts[base] = self.counts.get(base, 0) + 1
        n = self.counts[base]
        return base if n == 1 else f"{base}-{n}"


_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}([-*+]|\d+[.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
)


def inline(text: str) -> str:
    """Inline Markdown to HTML (escaped)."""
    out: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        if match.group("code") is not None:
            out.append(f"<code>{html.escape(match.group('code_text').strip(), quote=False)}</code>")
        elif match.group("bold") is not None:
            out.append(f"<strong>{inline(match.group('bold'))}</strong>")
        elif match.group("em") is not None:
            out.append(f"<em>{inline(match.group('em'))}</em>")
        else:
            href = match.group("href")
            safe = href if re.match(r"^(https?:|mailto:|#|[\w./-]+$)", href) else "#"
            out.append(f'<a href="{html.escape(safe)}">{inline(match.group("link_text"))}</a>')
        pos = match.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def plain(text: str) -> str:
    """Inline Markdown reduced to its text (for heading ids and the navigation)."""
    text = re.sub(r"`+(.+?)`+", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return text


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


def to_html(markdown: str) -> tuple[str, list[Heading]]:
    """(HTML, headings) of a Markdown document in the supported subset."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            i = end + 1
    out: list[str] = []
    headings: list[Heading] = []
    slugger = Slugger()
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(s.strip() for s in paragraph))}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        fence = _FENCE.match(stripped)
        if fence:
            flush()
            marker, lang = fence.group(1), fence.group(2)
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            i += 1
            cls = f' class="language-{html.escape(lang)}"' if lang else ""
            data = f' data-lang="{html.escape(lang)}"' if lang else ""
            out.append(
                f"<pre{data}><code{cls}>{html.escape(chr(10).join(body), quote=False)}</code></pre>"
            )
            continue
        if stripped.startswith("<!--") and not paragraph:  # comments (the generated-file header)
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level, text = len(heading.group(1)), heading.group(2)
            ident = slugger.slug(plain(text))
            headings.append(Heading(level, plain(text), ident))
            out.append(f'<h{level} id="{ident}">{inline(text)}</h{level}>')
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            header = _cells(line)
            i += 2
            rows: list[list[str]] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            head = "".join(f"<th>{inline(c)}</th>" for c in header)
            body_rows = "".join(
                "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>")
            continue
        if stripped.startswith(">"):
            flush()
            quote: list[str] = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            out.append(f"<blockquote><p>{inline(' '.join(quote))}</p></blockquote>")
            continue
        bullet = _BULLET.match(line)
        if bullet and not paragraph:
            ordered = bullet.group(1)[0].isdigit()
            items: list[str] = []
            while i < len(lines):
                item = _BULLET.match(lines[i])
                if item:
                    items.append(item.group(2).strip())
                elif lines[i].strip() and lines[i].startswith((" ", "\t")) and items:
                    items[-1] += " " + lines[i].strip()
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{inline(t)}</li>" for t in items) + f"</{tag}>")
            continue
        paragraph.append(line)
        i += 1
    flush()
    return "\n".join(out) + "\n", headings
