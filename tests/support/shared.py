"""Work done once per test run, also under pytest-xdist (`-n auto`): the first worker that asks
does it in a folder of the run's temporary directory; the others wait for it and read its result.

Used by the fixtures that generate SDKs (tests/conftest.py, unit/test_corpus.py) and their
`mypy --strict` runs. Nothing is kept between runs: every run generates afresh. File locks are
POSIX (`fcntl`), like the rest of the tool chain (Makefile, apt).
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of this run, shared by its xdist workers (each has a subfolder)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(tmp_path_factory: pytest.TempPathFactory, name: str, produce: Callable[[Path], T]) -> T:
    """`produce(folder)` run once per test run, its (picklable) result for every caller."""
    root = run_dir(tmp_path_factory)
    folder, done = root / name, root / f"{name}.pickle"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if done.exists():
            result: T = pickle.loads(done.read_bytes())
            return result
        if folder.exists():
            shutil.rmtree(folder)  # left by a worker whose `produce` failed
        folder.mkdir()
        result = produce(folder)
        partial = done.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        partial.replace(done)
        return result
