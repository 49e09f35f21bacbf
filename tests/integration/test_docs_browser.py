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
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import chromium_exe
from support.docs import DOCS, REST_NAMES, WS_NAMES
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
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[dict[str, Any]]:
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown" or method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning") or method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
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
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + STEP
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            assert proc.poll() is None, "chromium exited: " + (tmp_path / "chromium.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port = int(port_file.read_text().split("\n")[0])
        page = None
        while page is None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=STEP) as answer:
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
