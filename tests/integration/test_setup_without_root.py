"""`make generate` on a fresh copy of the repository, as a user who is not root and has no apt-get.

The copy holds what git tracks (uncommitted edits included), nothing built: `make generate` creates
the venv, installs the validators only (`npm ci --omit=dev`: Spectral, no Prism/Newman), validates
and renders `generated/`, which must come out as committed. When the suite runs as root (CI), the
make runs as `nobody` (setpriv); its PATH holds every usual tool except apt, dpkg and chromium.
Needs network access to the package registries, like `make generate` itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT

pytestmark = pytest.mark.timeout(1200)

HIDDEN_TOOLS = ("apt", "apt-get", "apt-cache", "dpkg", "sudo", "chromium", "chromium-browser")
NOBODY = 65534


def _tool_dir(folder: Path) -> str:
    """A PATH of links to every executable of the usual folders, apt and the browser left out."""
    folder.mkdir()
    for source in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(source):
            continue
        for entry in os.scandir(source):
            target = folder / entry.name
            if entry.name in HIDDEN_TOOLS or target.exists() or target.is_symlink():
                continue
            if os.access(entry.path, os.X_OK) and not entry.is_dir():
                target.symlink_to(os.path.realpath(entry.path))
    return str(folder)


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, "setpriv (util-linux) is needed to drop root"
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


@pytest.fixture
def fresh_copy() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="setup-no-root-"))
    try:
        repo = base / "repo"
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True, timeout=60,
        ).stdout.decode().split("\0")  # fmt: skip
        for name in filter(None, listed):
            source = ROOT / name
            if source.is_file():
                (repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, repo / name)
        (base / "home").mkdir()
        if os.geteuid() == 0:
            os.chmod(base, 0o755)
            for folder, dirs, files in os.walk(base):
                for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                    os.lchown(name, NOBODY, NOBODY)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _env(base: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "LANG", "LC_", "SSL_"))}
    home = str(base / "home")
    return {
        **keep,
        "HOME": home,
        "PATH": _tool_dir(base / "bin"),
        "npm_config_cache": os.path.join(home, ".npm"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
    }


def test_make_generate_as_a_user_without_apt(fresh_copy: Path) -> None:
    env = _env(fresh_copy)
    repo = fresh_copy / "repo"
    assert shutil.which("apt-get", path=env["PATH"]) is None
    assert shutil.which("chromium", path=env["PATH"]) is None
    assert shutil.which("make", path=env["PATH"]) and shutil.which("npm", path=env["PATH"])
    committed = _snapshot(repo / "generated")  # as copied: make generate must render exactly it
    assert committed
    result = subprocess.run(
        [*_as_user(), "make", "generate"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=1100, check=False,
    )  # fmt: skip
    log = result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode == 0, log
    assert "apt-get" not in result.stdout + result.stderr, log
    # only the validators were installed; the test tools come with `make test`
    bin_dir = repo / "node_modules" / ".bin"
    assert (bin_dir / "spectral").exists(), log
    for tool in ("newman", "prism"):
        assert not (bin_dir / tool).exists(), tool
    assert (repo / ".venv" / ".installed").exists()
    # validate --require-external (Spectral must run) passed, and generated/ is what is committed
    assert "ok: 3 file(s) valid" in result.stdout, log
    assert _snapshot(repo / "generated") == committed


def _snapshot(folder: Path) -> dict[str, bytes]:
    caches = {"__pycache__", ".mypy_cache", ".ruff_cache"}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not caches.intersection(p.relative_to(folder).parts)
    }


@pytest.mark.parametrize("ci", ["", "true"])
def test_chromium_step_without_root_says_so_or_fails_on_ci(fresh_copy: Path, ci: str) -> None:
    env = {**_env(fresh_copy), "CI": ci}
    result = subprocess.run(
        [*_as_user(), "make", "--no-print-directory", "browser"],
        cwd=fresh_copy / "repo", env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if ci:
        assert result.returncode != 0
        assert "required on CI" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert (
            result.stdout.count("\n") == 1 and "docs browser test will be skipped" in result.stdout
        )
