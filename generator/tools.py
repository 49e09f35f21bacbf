"""Where the installed generator finds the Node tools it can use (Spectral, swagger2openapi).

Node tools are optional: generating needs none. A tool `name` is looked up, first match wins, in

1. the folder named by `SPEC_SDK_GENERATOR_NODE_BIN` (for example `/opt/tools/node_modules/.bin`);
2. `node_modules/.bin` in the spec's folder or one of its parents (`npm install` next to the specs);
3. `node_modules/.bin` in the working directory or one of its parents;
4. `node_modules/.bin` of the source checkout the generator runs from (the repository's `make deps`);
5. the `PATH` (for example `npm install -g @stoplight/spectral-cli`).
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
from pathlib import Path

NODE_BIN_ENV = "SPEC_SDK_GENERATOR_NODE_BIN"
NOT_FOUND_HINT = (
    f"not in ${NODE_BIN_ENV}, node_modules/.bin near the spec or the working directory, or PATH"
)
PACKAGE_DIR = Path(__file__).resolve().parent
# The Spectral ruleset shipped with the generator (the repository's `.spectral.yaml` extends it).
SPECTRAL_RULESET = Path(str(importlib.resources.files("generator") / "spectral.yaml"))


def _bin_folders(near: Path | None) -> list[Path]:
    folders: list[Path] = []
    if env := os.environ.get(NODE_BIN_ENV):
        folders.append(Path(env))
    starts = [near.resolve().parent] if near is not None else []
    starts.append(Path.cwd())
    for start in starts:
        folders += [base / "node_modules" / ".bin" for base in (start, *start.parents)]
    # a source checkout (editable install): the repository root holds package.json
    checkout = PACKAGE_DIR.parent
    if (checkout / "package.json").is_file():
        folders.append(checkout / "node_modules" / ".bin")
    return folders


def node_tool(name: str, near: str | os.PathLike[str] | None = None) -> Path | None:
    """The executable of Node tool `name` (see the module docstring), or None if there is none.

    `near` is the spec being processed: a `node_modules` next to it is searched first."""
    for folder in _bin_folders(Path(near) if near is not None else None):
        exe = folder / name
        if exe.is_file() and os.access(exe, os.X_OK):
            return exe
    found = shutil.which(name)
    return Path(found) if found else None
