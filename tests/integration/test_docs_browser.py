"""The generated docs page (generated/docs/index.html) in a headless Chromium.

The page is opened in a headless Chromium started by the test and driven over the DevTools
protocol: no console error or uncaught exception, every operation of both specs has its
heading, every navigation link targets an element that exists and scrolls it into view, and a
screenshot is a real PNG.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import chromium_exe
from support.docs import (
    DOCS,
    HTTP_METHODS,
    REST,
    REST_NAMES,
    WS,
    WS_NAMES,
    rest_response_descriptions,
)
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.timeout(180)
STEP = 30.0  # seconds: bound on every single wait below


# ------------------------------------------------------------------ the HTML page in Chromium


class DevTools:
    """A minimal Chrome DevTools protocol client over one page's WebSocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + STEP
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_event(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + STEP
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(message)
            if message.get("method") == method:
                return message

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[dict[str, Any]]:
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if (
                method == "Runtime.exceptionThrown"
                or method == "Runtime.consoleAPICalled"
                and params.get("type") in ("error", "assert", "warning")
                or method == "Log.entryAdded"
                and params.get("entry", {}).get("level") in ("error", "warning")
            ):
                out.append(event)
        return out


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium of its own; yields the DevTools WebSocket URL of its page."""
    exe = chromium_exe()
    profile = tmp_path / "profile"
    profile.mkdir()
    log = (tmp_path / "chromium.log").open("w")
    proc = subprocess.Popen(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + STEP
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            assert proc.poll() is None, (
                "chromium exited: " + (tmp_path / "chromium.log").read_text()[-2000:]
            )
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port = int(port_file.read_text().split("\n")[0])
        page = None
        while page is None:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/json/list", timeout=STEP
            ) as answer:
                targets = json.loads(answer.read())
            page = next((t for t in targets if t.get("type") == "page"), None)
            assert page is not None or time.monotonic() < deadline, f"no page target: {targets}"
            if page is None:
                time.sleep(0.05)
        yield str(page["webSocketDebuggerUrl"])
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


CHECK_NAVIGATION = """
(async () => {
  const links = Array.from(document.querySelectorAll('#nav a[href^="#"]'));
  const results = [];
  for (const link of links) {
    const id = decodeURIComponent(link.getAttribute('href').slice(1));
    link.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const target = document.getElementById(id);
    const top = target ? target.getBoundingClientRect().top : null;
    const atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    results.push({
      id, text: link.textContent, exists: !!target,
      targeted: document.querySelector(':target') === target && location.hash === '#' + id,
      inView: target !== null && (Math.abs(top) <= 20 || (atBottom && top >= 0 && top < window.innerHeight)),
    });
  }
  const h2 = Array.from(document.querySelectorAll('main h2')).map((h) => ({id: h.id, text: h.textContent}));
  const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
  return {results, h2, h1: document.querySelectorAll('main h1').length, duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
          external: Array.from(document.querySelectorAll('script[src], link[href], img[src]')).length};
})()
"""


def test_html_page_in_headless_chromium(chromium: str, tmp_path: Path) -> None:
    page = DOCS / "index.html"
    assert page.exists(), f"{page} is missing: run `make generate`"
    with connect(chromium, max_size=None, open_timeout=STEP) as ws:
        tools = DevTools(ws)
        tools.call("Page.enable")
        tools.call("Runtime.enable")
        tools.call("Log.enable")
        tools.call("Page.navigate", url=page.resolve().as_uri())
        tools.wait_event("Page.loadEventFired")
        report = tools.evaluate(CHECK_NAVIGATION)
        shot = tools.call("Page.captureScreenshot", format="png")
        errors = tools.errors()

    assert errors == []
    assert report["external"] == 0 and report["duplicateIds"] == []
    # every operation and method has its heading, exactly once per spec entry
    assert sorted(h["text"] for h in report["h2"]) == sorted(REST_NAMES + WS_NAMES)
    results = report["results"]
    linked = {r["id"] for r in results}
    assert all(h["id"] in linked for h in report["h2"]), "an operation has no navigation link"
    assert len(results) == report["h1"] + len(report["h2"])  # one link per section and operation
    bad = [r for r in results if not (r["exists"] and r["targeted"] and r["inView"])]
    assert bad == []
    png = base64.b64decode(shot["data"])
    path = tmp_path / "index.png"
    path.write_bytes(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and path.stat().st_size > 10_000


# ------------------------------------------------------------------ layout, search and field tables


def _description_only_word() -> tuple[str, str]:
    """(an operation, a word of its description that is in no name, no summary and no other
    operation's description): searching for it must find the operation by its description."""
    ops: list[tuple[str, str, str]] = []
    for item in REST["paths"].values():
        for method in HTTP_METHODS:
            if op := item.get(method):
                ops.append(
                    (
                        op.get("x-method-name", op["operationId"]),
                        op.get("summary", ""),
                        op.get("description", ""),
                    )
                )
    for message in WS["components"]["messages"].values():
        rpc = message.get("x-rpc-method", {})
        if rpc.get("kind") in ("request", "subscribe", "unsubscribe"):
            ops.append((rpc["name"], message.get("summary", ""), message.get("description", "")))
    names = [name for name, _, _ in ops]
    for name, summary, description in ops:
        if names.count(name) > 1:
            continue
        others = (
            " ".join(f"{n} {s} {d}" for n, s, d in ops if n != name).lower()
            + f" {name} {summary}".lower()
        )
        for word in re.findall(r"[a-z]{8,}", description.lower()):
            if word not in others:
                return name, word
    raise AssertionError("no operation has a word of its own in its description")


def _field_to_show() -> tuple[str, str]:
    """(a REST operation, a plain-text description of one of its response fields)."""
    for name, descriptions in rest_response_descriptions().items():
        if REST_NAMES.count(name) > 1 or name in WS_NAMES:
            continue
        for text in descriptions:
            if not re.search(r"[`*_|\[<]", text) and len(text) > 20:
                return name, " ".join(text.split())
    raise AssertionError("no response field with a plain description")


OVERFLOW = """(() => ({
  doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, width: window.innerWidth,
  wide: Array.from(document.querySelectorAll('body *')).filter((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(e).position === 'fixed') { return false; }
    for (let p = e.parentElement; p; p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') { return false; } }
    return r.right > window.innerWidth + 1;
  }).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40)),
}))()"""

PLACE = """((name) => {
  const h2 = Array.from(document.querySelectorAll('main h2')).find((h) => h.textContent === name);
  const r = (e) => { const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, width: b.width}; };
  let code = null, prose = null, spans = 0;
  for (let e = h2.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling) {
    if (!code && e.matches('pre.highlight')) { code = e; }
    if (!prose && e.tagName === 'P') { prose = e; }
    if (e.matches('pre.highlight')) { spans += e.querySelectorAll('span[class]').length; }
  }
  return {id: h2.id, h2: r(h2), code: r(code), prose: r(prose), spans,
          nav: getComputedStyle(document.getElementById('nav')).display, width: window.innerWidth};
})"""

CENTER = """((selector) => {
  const e = document.querySelector(selector);
  if (!e) { return null; }
  e.scrollIntoView({block: 'center'});
  const b = e.getBoundingClientRect();
  return {x: b.left + b.width / 2, y: b.top + b.height / 2, visible: e.checkVisibility()};
})"""

RESULTS = """(() => Array.from(document.querySelectorAll('#results a')).map((a) => ({
  href: a.getAttribute('href'), text: a.textContent, visible: a.checkVisibility(),
})))()"""

AFTER_CLICK = """((id) => {
  const h = document.getElementById(id);
  return {hash: location.hash, top: h.getBoundingClientRect().top, height: window.innerHeight,
          menuOpen: document.body.classList.contains('menu-open')};
})"""

FIELD = """((name, text) => {
  const h2 = Array.from(document.querySelectorAll('main h2')).find((h) => h.textContent === name);
  let cell = null;
  for (let e = h2.nextElementSibling; e && e.tagName !== 'H2' && !cell; e = e.nextElementSibling) {
    cell = Array.from(e.querySelectorAll ? e.querySelectorAll('td') : []).find((td) => td.textContent.replace(/\\s+/g, ' ').includes(text)) || null;
  }
  if (!cell) { return {found: false}; }
  cell.scrollIntoView({block: 'center', inline: 'nearest'});
  const b = cell.getBoundingClientRect();
  const hit = document.elementFromPoint(b.left + Math.min(b.width / 2, 20), b.top + b.height / 2);
  return {found: true, visible: cell.checkVisibility({opacityProperty: true, visibilityProperty: true}),
          inView: b.width > 20 && b.left >= 0 && b.left < window.innerWidth && b.top >= 0 && b.bottom <= window.innerHeight,
          onTop: hit !== null && cell.contains(hit),
          afterHeading: !!(h2.compareDocumentPosition(cell) & Node.DOCUMENT_POSITION_FOLLOWING)};
})"""


def _click(tools: DevTools, selector: str) -> None:
    at = tools.evaluate(f"{CENTER}({json.dumps(selector)})")
    assert at is not None and at["visible"], f"{selector} is not visible"
    for kind in ("mousePressed", "mouseReleased"):
        tools.call(
            "Input.dispatchMouseEvent", type=kind, x=at["x"], y=at["y"], button="left", clickCount=1
        )


def _no_overflow(tools: DevTools, when: str) -> None:
    sizes = tools.evaluate(OVERFLOW)
    assert (
        sizes["doc"] <= sizes["width"] and sizes["body"] <= sizes["width"] and sizes["wide"] == []
    ), (when, sizes)


@pytest.mark.parametrize("width", [1400, 390])
def test_layout_search_and_field_tables(chromium: str, tmp_path: Path, width: int) -> None:
    """At a desktop and a phone width: no sideways scroll; code on the right (wide) or below the
    text (narrow); the menu collapses on the phone; search finds an operation by a word only its
    description has; a response field's description is visible under its operation."""
    page = DOCS / "index.html"
    op, word = _description_only_word()
    field_op, field_text = _field_to_show()
    with connect(chromium, max_size=None, open_timeout=STEP) as ws:
        tools = DevTools(ws)
        tools.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        for domain in ("Page", "Runtime", "Log"):
            tools.call(f"{domain}.enable")
        tools.call("Page.navigate", url=page.resolve().as_uri())
        tools.wait_event("Page.loadEventFired")
        _no_overflow(tools, "loaded")

        place = tools.evaluate(f"{PLACE}({json.dumps(field_op)})")
        assert place["spans"] > 3  # highlighted by Pygments
        if width >= 1200:  # Slate: prose on the left, code in the right column
            assert place["nav"] != "none"
            assert (
                place["code"]["left"] >= place["prose"]["right"] - 1
                and place["code"]["left"] > width / 2
            )
        else:  # one column; the menu is collapsed behind a button
            assert place["nav"] == "none"
            assert place["code"]["left"] < 40 and place["code"]["width"] > width - 60
            _click(tools, "#menu")
            assert (
                tools.evaluate("getComputedStyle(document.getElementById('nav')).display") != "none"
            )
            _no_overflow(tools, "menu open")

        tools.evaluate("document.getElementById('filter').focus()")
        tools.call("Input.insertText", text=word)
        results = tools.evaluate(RESULTS)
        target = tools.evaluate(
            f"Array.from(document.querySelectorAll('main h2')).find((h) => h.textContent === {json.dumps(op)}).id"
        )
        hits = [r for r in results if r["href"] == "#" + target]
        assert hits and hits[0]["visible"] and word in hits[0]["text"].lower(), (op, word, results)
        _no_overflow(tools, "search results")
        _click(tools, f'#results a[href="#{target}"]')
        after = tools.evaluate(f"{AFTER_CLICK}({json.dumps(target)})")
        assert (
            after["hash"] == "#" + target
            and 0 <= after["top"] < after["height"] / 2
            and not after["menuOpen"]
        ), after

        field = tools.evaluate(f"{FIELD}({json.dumps(field_op)}, {json.dumps(field_text)})")
        assert field == {
            "found": True,
            "visible": True,
            "inView": True,
            "onTop": True,
            "afterHeading": True,
        }, (field_op, field_text, field)
        _no_overflow(tools, "after the field check")
        shot = tools.call("Page.captureScreenshot", format="png")
        errors = tools.errors()
    (tmp_path / f"docs-{width}.png").write_bytes(base64.b64decode(shot["data"]))
    assert errors == []
