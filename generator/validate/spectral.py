"""Spectral (Node) with the root `.spectral.yaml`, its results mapped to problems."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from generator import tools
from generator.load import Document, load_document
from generator.problems import Problem, Severity, Source, SpecError, join_pointer
from generator.validate.common import ROOT, _relative

SPECTRAL_RULESET = tools.SPECTRAL_RULESET


SPECTRAL_TIMEOUT = 180.0  # seconds, per file


class SpectralError(Exception):
    """Spectral is missing, timed out or crashed."""


class SpectralMissing(SpectralError):
    """Spectral is not installed: its lint is skipped, not failed."""


def spectral_bin(near: str | os.PathLike[str] | None = None) -> Path:
    """Spectral's executable (see generator/tools.py for where it is looked for)."""
    found = tools.node_tool("spectral", near)
    return found if found is not None else Path("node_modules", ".bin", "spectral")


def spectral_lint(
    path: str | os.PathLike[str], *, timeout: float = SPECTRAL_TIMEOUT
) -> list[dict[str, Any]]:
    """Spectral's raw JSON results for one file (with the root `.spectral.yaml`)."""
    exe = spectral_bin(path)
    if not exe.exists():
        raise SpectralMissing(f"Spectral is not installed ({tools.NOT_FOUND_HINT})")
    cmd = [
        str(exe), "lint", "--quiet", "--format", "json",
        "--ruleset", str(SPECTRAL_RULESET), str(Path(path).resolve()),
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise SpectralError(f"Spectral did not finish within {timeout:g}s") from None
    except OSError as exc:
        if not exe.exists():
            raise SpectralMissing(f"Spectral is not installed ({exe} is missing)") from None
        raise SpectralError(f"cannot run Spectral ({exc.strerror}): run `make deps`") from None
    text = proc.stdout.strip()
    try:
        results, _ = json.JSONDecoder().raw_decode(text) if text else (None, 0)
    except json.JSONDecodeError:
        results = None
    if not isinstance(results, list):
        detail = (proc.stderr.strip() or text or f"exit status {proc.returncode}").splitlines()
        raise SpectralError("Spectral failed: " + " | ".join(detail[-5:]))
    return [r for r in results if isinstance(r, dict)]


def spectral_problems(doc: Document) -> list[Problem]:
    """Spectral errors and warnings as warnings (errors with `--strict`; info/hint are dropped).

    Raises SpectralMissing if Spectral is not installed (see `spectral_skipped`)."""
    try:
        results = spectral_lint(doc.path)
    except SpectralMissing:
        raise
    except SpectralError as exc:
        return [doc.problem("", str(exc), Source.SPECTRAL)]
    problems = []
    own = doc.path.resolve()
    for result in results:
        severity = result.get("severity", 0)
        if severity not in (0, 1):
            continue
        raw_path = result.get("path")
        pointer = join_pointer("", *raw_path) if isinstance(raw_path, list) else ""
        source = result.get("source")
        start = (result.get("range") or {}).get("start") or {}
        raw_line = start.get("line")
        line = raw_line + 1 if isinstance(raw_line, int) else None
        if not source or Path(source).resolve() == own:
            file = doc.name
            line = line or doc.line_of(pointer)
        else:
            file = _relative(source)
        kind = "error" if severity == 0 else "warning"
        message = f"{result.get('message', '').strip()} (Spectral {kind})"
        rule = f"spectral:{result.get('code', '?')}"
        problems.append(Problem(file, line, pointer, message, rule, Severity.WARNING))
    return problems


def ruleset_names(ruleset: Path = SPECTRAL_RULESET) -> list[str]:
    """The rulesets `.spectral.yaml` extends (e.g. spectral:oas), for saying what was skipped."""
    try:
        data = load_document(ruleset).data
    except SpecError:
        return []
    extends = data.get("extends") if isinstance(data, dict) else None
    items = extends if isinstance(extends, list) else [extends]
    names = [item[0] if isinstance(item, list) and item else item for item in items]
    return [name for name in names if isinstance(name, str)]


def spectral_skipped(docs: list[Document], reason: SpectralMissing) -> Problem:
    """The one note for a run without Spectral: which checks were skipped, on how many files."""
    rulesets = " and ".join(ruleset_names()) or "its"
    message = (
        f"{reason}: skipped the Spectral lint ({rulesets} rules of {SPECTRAL_RULESET.name}) "
        f"on {len(docs)} file(s); run `make deps` to install it"
    )
    return Problem(docs[0].name, None, "", message, Source.SPECTRAL, Severity.NOTE)
