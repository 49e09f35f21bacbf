"""The generator itself installs: a wheel built from the repository, installed non-editable into a
fresh virtualenv, run from a folder outside the repository, reproduces `generated/` byte for byte,
through its console commands and through `python -m generator`.

The wheel is built from a copy of the build inputs (so the build leaves nothing in the checkout),
with the pinned setuptools of `[build-system]`, and installed with `constraints.txt`. Needs the
package index (no skip: a failure to install is a failure); Spectral comes from the repository's
`node_modules` (`make deps`) through `SPEC_SDK_GENERATOR_NODE_BIN`.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(600)

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
SPECS = (
    ROOT / "specs" / "hotbit-rest.openapi.yaml",
    ROOT / "specs" / "hotbit-websocket.asyncapi.yaml",
)
CONSTRAINTS = ROOT / "constraints.txt"
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "generator", "templates")
JUNK = ("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", "build", "*.egg-info")
INSTALL_TIMEOUT = 420.0  # seconds: wheel build, venv, pip install with the network
RUN_TIMEOUT = 180.0


def _env(**extra: str) -> dict[str, str]:
    """The environment without this test run's Python settings (PYTHONPATH would find the repo)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


def _run(
    cmd: list[str], cwd: Path, timeout: float = RUN_TIMEOUT, **env: str
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd, cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


def _files(folder: Path) -> set[str]:
    skip = {"__pycache__", ".mypy_cache", ".ruff_cache", "build"}
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
        and not skip & set(p.relative_to(folder).parts)
        and p.suffix != ".pyc"
        and not any(part.endswith(".egg-info") for part in p.relative_to(folder).parts)
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns(*JUNK))
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)],
         base, INSTALL_TIMEOUT)  # fmt: skip
    [built] = dist.glob("spec_sdk_generator-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", str(folder)], folder.parent, INSTALL_TIMEOUT)
    _run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "-c", str(CONSTRAINTS), str(wheel)], folder.parent, INSTALL_TIMEOUT)  # fmt: skip
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(ROOT.resolve())
    return folder


def test_wheel_holds_every_source_file_templates_runtime_and_schemas(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if ".dist-info/" not in n}
        entry_points = next(
            zf.read(n).decode() for n in zf.namelist() if n.endswith("entry_points.txt")
        )
    expected = {f"generator/{f}" for f in _files(ROOT / "generator")}
    expected |= {f"generator/templates/{f}" for f in _files(ROOT / "templates")}
    assert names == expected, (sorted(expected - names), sorted(names - expected))
    assert "generator/templates/pyproject.toml.j2" in names
    assert "generator/templates/package/client.py.j2" in names
    assert "generator/templates/postman/prerequest.js.j2" in names
    assert "generator/schemas/x-extensions.json" in names
    for version in ("2.6.0", "3.0.0"):
        assert f"generator/schemas/asyncapi/{version}.json" in names
    for notice in ("LICENSE", "NOTICE", "README.md"):
        assert f"generator/schemas/asyncapi/{notice}" in names
    assert "generator/spectral.yaml" in names
    runtime = sorted(p.name for p in (ROOT / "generator" / "runtime").glob("*.py"))
    assert all(f"generator/runtime/{name}" in names for name in runtime)
    assert "spec-sdk-generator = generator.cli:main" in entry_points
    assert "sdkgen = generator.cli:main" in entry_points


def _assert_same_as_generated(out: Path) -> None:
    assert _files(out) == _files(GENERATED), "file sets differ"
    for name in sorted(_files(GENERATED)):
        assert filecmp.cmp(out / name, GENERATED / name, shallow=False), (
            f"{name} differs from generated/"
        )


@pytest.mark.parametrize("command", ["spec-sdk-generator", "sdkgen", "python -m generator"])
def test_installed_generator_run_elsewhere_reproduces_generated(
    venv: Path, outside: Path, command: str
) -> None:
    assert (GENERATED / "pyproject.toml").is_file(), "generated/ is empty: run `make generate`"
    bin_ = venv / "bin"
    argv = (
        [str(bin_ / "python"), "-m", "generator"]
        if command.startswith("python")
        else [str(bin_ / command)]
    )
    # the module form gets the specs as relative paths (from the other folder), the commands absolute
    rest, ws = (
        (os.path.relpath(p, outside) for p in SPECS)
        if command.startswith("python")
        else map(str, SPECS)
    )
    cache = outside.parent / "cache"
    stdout = _run([*argv, "generate", "--openapi", rest, "--asyncapi", ws, "--package", "hotbit",
                   "--out", "out"], outside, XDG_CACHE_HOME=str(cache)).stdout  # fmt: skip
    assert "generated hotbit in out" in stdout
    _assert_same_as_generated(outside / "out")
    # it ran the installed generator (the console scripts run this interpreter), not the checkout's
    code = "import generator, generator.render as r; print(generator.__file__, r.BUILTIN_TEMPLATES)"
    module, templates = map(Path, _run([str(bin_ / "python"), "-c", code], outside).stdout.split())
    assert module.resolve().is_relative_to(venv.resolve()), module
    assert templates.resolve().is_relative_to(venv.resolve()), templates
    assert (templates / "pyproject.toml.j2").is_file()


def test_installed_validate_runs_spectral_with_the_shipped_ruleset(
    venv: Path, outside: Path
) -> None:
    node_bin = ROOT / "node_modules" / ".bin"
    if not (node_bin / "spectral").exists():
        pytest.fail("node_modules/.bin/spectral is missing: run `make deps`", pytrace=False)
    # a copy of specs/ (with its shared components), no node_modules next to it or above
    shutil.copytree(SPECS[0].parent, outside / "specs")
    # an info without contact: spectral:oas warns (the ruleset shipped in the wheel was used)
    (outside / "bare.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1', description: d}\nservers: [{url: 'https://x'}]\n"
        "tags: [{name: a, description: d}]\npaths: {}\n"
    )
    sdkgen = str(venv / "bin" / "sdkgen")
    env = {"SPEC_SDK_GENERATOR_NODE_BIN": str(node_bin), "PATH": "/usr/bin:/bin"}
    assert (
        _run([sdkgen, "validate", f"specs/{SPECS[0].name}"], outside, **env).stdout.strip()
        == "ok: 1 file(s) valid"
    )
    bare = _run([sdkgen, "validate", "--lenient", "bare.yaml"], outside, **env)
    assert (
        "bare.yaml:2: warning: /info: " in bare.stderr and "[spectral:info-contact]" in bare.stderr
    ), bare.stderr
