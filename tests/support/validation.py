"""The tiny fixture specs of tests/fixtures/specs/, `validate_files` over them, and
`python -m generator validate` in a subprocess.

Used by unit/test_validate.py and integration/test_validate_spectral.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

from generator.problems import Problem
from generator.validate import validate_files

from . import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "specs"
# Inputs `validate` must reject with located errors, never a traceback.
BROKEN = [
    "not-yaml.yaml", "top-level-list.yaml", "empty.yaml", "broken-ref.yaml", "swagger-20.yaml",
]  # fmt: skip


def rel(name: str) -> str:
    return str((FIXTURES / name).relative_to(ROOT))


def problems_of(name: str, **kw: bool) -> list[Problem]:
    kw.setdefault("external", False)
    return validate_files([rel(name)], **kw)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
