"""We accept at least what the reference AsyncAPI parser accepts: every AsyncAPI document of the
shared corpus and of our fixtures that @asyncapi/parser (from `npm ci`) parses without an error
passes our validation in the default mode (`generate`'s gate, `pipeline.load_and_check`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support import ROOT
from support.corpus import CORPUS

from generator.pipeline import load_and_check
from generator.problems import SpecError

SCRIPT = ROOT / "tests" / "node" / "asyncapi_parse.js"


def _documents() -> list[Path]:
    shared = CORPUS.parent
    found = sorted(
        p
        for p in [
            *shared.rglob("*.yaml"),
            *shared.rglob("*.yml"),
            *(ROOT / "tests" / "fixtures").rglob("*.yaml"),
        ]
        if p.is_file() and "asyncapi:" in p.read_text(encoding="utf-8")[:400]
    )
    return [*found, ROOT / "specs" / "hotbit-websocket.asyncapi.yaml"]


@pytest.mark.timeout(600)
def test_what_the_reference_parser_accepts_we_accept() -> None:
    assert (ROOT / "node_modules" / "@asyncapi" / "parser").is_dir(), "run `make deps`"
    documents = _documents()
    assert len(documents) >= 25
    proc = subprocess.run(
        ["node", str(SCRIPT), *map(str, documents)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdicts = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(verdicts) == len(documents)
    accepted = [Path(v["file"]) for v in verdicts if not v["errors"]]
    assert len(accepted) >= 20
    refused_by_us = {}
    for path in accepted:
        try:
            load_and_check(str(path), False, "asyncapi")
        except SpecError as exc:
            refused_by_us[str(path)] = [str(p) for p in exc.problems[:3]]
    assert refused_by_us == {}
