"""generator/tools.py: where Node tools are found (env var, next to the spec, cwd, PATH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import tools


def _tool(folder: Path, name: str = "spectral") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No env var, an empty PATH, cwd in an empty folder, and no source checkout to fall back on."""
    monkeypatch.delenv(tools.NODE_BIN_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setattr(tools, "PACKAGE_DIR", tmp_path / "site" / "generator")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_nothing_found_is_none(clean: Path) -> None:
    assert tools.node_tool("spectral", clean / "specs" / "api.yaml") is None


def test_lookup_order_env_then_spec_folder_then_cwd_then_path(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = clean / "project" / "specs" / "api.yaml"
    on_path = _tool(clean / "path-bin")
    monkeypatch.setenv("PATH", str(clean / "path-bin"))
    assert tools.node_tool("spectral", spec) == on_path
    in_cwd = _tool(clean / "work" / "node_modules" / ".bin")
    assert tools.node_tool("spectral", spec) == in_cwd
    above_spec = _tool(clean / "project" / "node_modules" / ".bin")  # a parent of the spec's folder
    assert tools.node_tool("spectral", spec) == above_spec
    next_to_spec = _tool(clean / "project" / "specs" / "node_modules" / ".bin")
    assert tools.node_tool("spectral", spec) == next_to_spec
    from_env = _tool(clean / "tools")
    monkeypatch.setenv(tools.NODE_BIN_ENV, str(clean / "tools"))
    assert tools.node_tool("spectral", spec) == from_env


def test_a_source_checkout_falls_back_to_its_node_modules(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = clean / "repo"
    (checkout / "package.json").parent.mkdir(parents=True)
    (checkout / "package.json").write_text("{}")
    exe = _tool(checkout / "node_modules" / ".bin")
    monkeypatch.setattr(tools, "PACKAGE_DIR", checkout / "generator")
    assert tools.node_tool("spectral", clean / "elsewhere" / "api.yaml") == exe


def test_a_file_that_is_not_executable_is_skipped(clean: Path) -> None:
    exe = _tool(clean / "work" / "node_modules" / ".bin")
    exe.chmod(0o644)
    assert tools.node_tool("spectral") is None


def test_the_shipped_ruleset_is_package_data_extended_by_the_root_one() -> None:
    assert tools.SPECTRAL_RULESET.is_file()
    assert tools.SPECTRAL_RULESET.parent == Path(tools.__file__).resolve().parent
    root = Path(tools.__file__).resolve().parents[1] / ".spectral.yaml"
    assert "./generator/spectral.yaml" in root.read_text()
