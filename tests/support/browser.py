"""The headless Chromium of the docs browser test: required under CI=true, else skipped saying why."""

from __future__ import annotations

import os
import shutil

import pytest


def chromium_exe() -> str:
    """The Chromium executable; without one, FAIL under CI=true and skip (one line) elsewhere."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is not None:
        return exe
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and CI=true requires it: run `make test` as root "
                    "(it apt-installs the Debian package chromium)", pytrace=False)  # fmt: skip
    pytest.skip("no chromium (installing it needs root and apt-get; CI does): docs page not checked "
                "in a browser")  # fmt: skip
