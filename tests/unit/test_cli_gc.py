"""`generator.cli.main` run inside another program leaves that program's garbage collector as
it found it (a generate/validate run collects rarely while it works)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from generator import cli

EDGE = Path(__file__).resolve().parents[1] / "fixtures" / "edge"


def test_main_restores_the_collector(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    original = cli._run

    def spy(args: object) -> int:
        seen.append(gc.get_threshold())
        return original(args)  # type: ignore[arg-type]

    cli._run = spy  # type: ignore[assignment]
    try:
        assert cli.main(["validate", "--no-external", str(EDGE / "auth.yaml")]) == 0
        broken = tmp_path / "broken.yaml"
        broken.write_text("openapi: 3.0.3\ninfo: [\n")
        assert cli.main(["validate", "--no-external", str(broken)]) == 2
    finally:
        cli._run = original  # type: ignore[assignment]
    assert [t[0] for t in seen] == [200_000, 200_000]  # rarely, while it ran
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    capsys.readouterr()
