"""The generated reference docs: reference.md, llms.txt, llms-full.txt and index.html.

The HTML page is opened in a headless Chromium started by the test and driven over the DevTools
protocol: no console error or uncaught exception, every operation of both specs has its
heading, every navigation link targets an element that exists and scrolls it into view, and a
screenshot is a real PNG. The shell samples of the signed operations are run against the REST
mock: the signature they compute with openssl must be the one the mock expects.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REST_API_KEY, REST_SECRET_KEY, REST_SPEC, ROOT, WS_SPEC
from websockets.sync.client import ClientConnection, connect

from generator.mock import RestMock

pytestmark = pytest.mark.timeout(180)

DOCS = ROOT / "generated" / "docs"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REST = yaml.safe_load(REST_SPEC.read_text(encoding="utf-8"))
WS = yaml.safe_load(WS_SPEC.read_text(encoding="utf-8"))
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
STEP = 30.0  # seconds: bound on every single wait below


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


def test_shell_samples_sign_like_the_server_expects(rest_mock: RestMock, tmp_path: Path) -> None:
    bash, curl, openssl = shutil.which("bash"), shutil.which("curl"), shutil.which("openssl")
    assert bash and curl and openssl, "the shell samples need bash, curl and openssl"
    found = sections(read("reference.md"))
    base = REST["servers"][0]["url"]
    env = {**os.environ, "API_KEY": REST_API_KEY, "SECRET_KEY": REST_SECRET_KEY}
    for name in SIGNED:
        body = next(b for b in found[name] if "### HTTP Request" in b)
        sample = body.split("```shell\n", 1)[1].split("\n```", 1)[0]
        script = sample.replace(base, rest_mock.url) + " --silent --show-error --max-time 20"
        result = subprocess.run([bash, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False)
        assert result.returncode == 0, (name, result.stderr)
        answer = json.loads(result.stdout)
        assert answer["error"] is None, (name, answer)
    requests = rest_mock.requests
    assert len(requests) == len(SIGNED)
    assert all(r.params.get("api_key") == REST_API_KEY and r.params.get("sign") for r in requests)


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
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium is not installed: run `make deps` (Debian package chromium)", pytrace=False)
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
