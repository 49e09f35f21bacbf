"""The committed reference docs (generated/docs/) and the spec facts they are checked against.

Used by unit/test_docs_site.py, sdk/test_docs_samples.py and integration/test_docs_browser.py.
"""

from __future__ import annotations

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
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith(("# ", "## ")):
            current = None
            if line.startswith("## "):
                current = []
                out.setdefault(line[3:].strip(), []).append("")
                continue
        if current is not None:
            current.append(line)
            key = next(reversed(out))
            out[key][-1] = "\n".join(current)
    return out
