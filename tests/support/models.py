"""Run a rendered models module without writing a package: a scratch package holds it and the
runtime module it imports (`from ._extra import Model`)."""

from __future__ import annotations

import contextlib
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

from generator.runtime import _extra


@contextlib.contextmanager
def scratch_models(code: str, name: str = "models") -> Iterator[dict[str, Any]]:
    """The module's namespace, importable meanwhile (msgspec resolves annotations through
    `sys.modules[cls.__module__]`)."""
    package = f"_test_pkg_{uuid.uuid4().hex}"
    pkg = types.ModuleType(package)
    pkg.__path__ = []
    module = types.ModuleType(f"{package}.{name}")
    module.__package__ = package
    added = {package: pkg, f"{package}._extra": _extra, module.__name__: module}
    sys.modules.update(added)
    try:
        exec(compile(code, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - the test's subject
        yield module.__dict__
    finally:
        for key in added:
            del sys.modules[key]
