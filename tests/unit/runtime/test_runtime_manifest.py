"""render.py copies the runtime modules; `--templates DIR/package/<module>` replaces one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from generator import render, runtime


def copies() -> dict[str, render.Output]:
    return {out.template: out for out in render.MANIFEST if out.build is render._copy_runtime}


def test_every_runtime_module_is_in_the_manifest() -> None:
    assert set(copies()) == set(runtime.MODULES)
    assert all(out.path == "{package}/" + name for name, out in copies().items())


def test_a_module_in_the_templates_folder_overrides_the_runtime(tmp_path: Path) -> None:
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "_transport.py").write_text("# mine\n", encoding="utf-8")
    project: Any = SimpleNamespace(templates=tmp_path)
    assert render._copy_runtime(project, "_transport.py") == "# mine\n"
    assert render._copy_runtime(project, "_checks.py") == runtime.source("_checks.py")
    assert render._copy_runtime(SimpleNamespace(templates=None), "_checks.py") == runtime.source(
        "_checks.py"
    )  # type: ignore[arg-type]


def test_optional_modules_follow_the_specs() -> None:
    rpc = SimpleNamespace(framing=object(), auth=None, order_books=[object()])
    plain = SimpleNamespace(framing=None, auth=None, order_books=[])
    rest = SimpleNamespace(signature=None)

    def chosen(api: Any, ws: Any) -> set[str]:
        ctx = {"api": api, "ws": ws}
        return {name for name, out in copies().items() if out.when(ctx)}

    always = {"_errors.py", "_extra.py", "_wire.py"}
    assert chosen(rest, None) == always | {"_signing.py", "_checks.py", "_transport.py"}
    assert chosen(None, plain) == always | {"_ws_runtime.py", "_ws_plain.py"}
    assert chosen(None, rpc) == always | {"_ws_runtime.py", "_ws_rpc.py", "_orderbook.py"}
