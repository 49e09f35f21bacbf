"""The AsyncAPI 3.0 edition of the WebSocket spec through the reference parser
(`@asyncapi/parser`): it parses without errors, and the parser pairs every request with its
reply and sees the pushes, as in specs/hotbit-websocket.asyncapi3.yaml."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ROOT, SPECS_DIR, node_exe

pytestmark = pytest.mark.timeout(300)

EDITION = SPECS_DIR / "hotbit-websocket.asyncapi3.yaml"

PARSE = """
const { Parser, fromFile } = require('@asyncapi/parser');
(async () => {
  const { document, diagnostics } = await fromFile(new Parser(), process.argv[1]).parse();
  const errors = diagnostics.filter((d) => d.severity === 0);
  const out = { errors: errors.map((d) => `${d.path.join('/')}: ${d.message}`) };
  if (document) {
    out.version = document.version();
    out.operations = Object.fromEntries(document.operations().all().map((op) => [op.id(), {
      action: op.action(),
      channels: op.channels().all().map((c) => c.id()),
      messages: op.messages().all().map((m) => m.id()),
      reply: op.reply() ? op.reply().messages().all().map((m) => m.id()) : null,
    }]));
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(3); });
"""


def parse(path: Path) -> dict[str, Any]:
    found = subprocess.run(
        [node_exe(), "-e", "require.resolve('@asyncapi/parser')"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if found.returncode != 0:
        pytest.fail("@asyncapi/parser is not installed: run `make deps`", pytrace=False)
    run = subprocess.run(
        [node_exe(), "-e", PARSE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_the_parser_pairs_every_request_with_its_reply() -> None:
    parsed = parse(EDITION)
    assert parsed["errors"] == [] and parsed["version"] == "3.0.0"
    written = yaml.safe_load(EDITION.read_text(encoding="utf-8"))["operations"]
    assert set(parsed["operations"]) == set(written)
    for key, op in written.items():
        got = parsed["operations"][key]
        assert got["action"] == op["action"] and got["channels"] == ["rpc"]
        assert got["messages"] == [m["$ref"].rsplit("/", 1)[-1] for m in op["messages"]]
        reply = [m["$ref"].rsplit("/", 1)[-1] for m in op.get("reply", {}).get("messages", [])]
        assert got["reply"] == (reply or None)
    sends = [op for op in parsed["operations"].values() if op["action"] == "send"]
    assert len(sends) == 30 and all(op["reply"] for op in sends)
    assert len([op for op in parsed["operations"].values() if op["action"] == "receive"]) == 8
    assert parsed["operations"]["DepthQuery"]["reply"] == ["DepthQueryReply"]


def test_the_parser_rejects_a_broken_edition(tmp_path: Path) -> None:
    broken = yaml.safe_load(EDITION.read_text(encoding="utf-8"))
    broken["operations"]["DepthQuery"]["reply"]["messages"] = [
        {"$ref": "#/channels/rpc/messages/NoSuchReply"}
    ]
    (tmp_path / "components").symlink_to(SPECS_DIR / "components")
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    parsed = parse(path)
    assert any("NoSuchReply" in e or "operations/DepthQuery" in e for e in parsed["errors"])
