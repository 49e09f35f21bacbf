"""Where generation time goes: one in-process `generate` per spec with a timer on every stage.

`python -m bench.profile [SPEC ...] [--size 1mb --size 5mb] [--markdown]` (or
`python -m bench --only profile`). Without specs it profiles the synthetic 1 MB and 5 MB specs
(`bench/synth_spec.py`). Times are CPU seconds (the process and its ruff subprocesses), which a
shared machine disturbs less than wall time. Each stage is a function of the generator wrapped with a timer; time is
exclusive (a stage called inside another is taken out of the outer one), so the column adds up to
the run. The models are rendered in-process (`ModelWorker(fork=False)`): the table shows what each
stage costs, not how the real run overlaps them. The last rows are a real cold
`python -m generator generate` of the same spec (wall time, and the CPU of its processes).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import synth_spec
from bench._common import ROOT, cleanup, workdir
from bench.gen import ours_argv

# (stage, module, function): patched wherever the function object is bound in generator.*
STAGES: tuple[tuple[str, str, str], ...] = (
    ("load (YAML, line map)", "generator.load", "load_document"),
    ("document model", "generator.document", "build_model"),
    ("refs", "generator.validate.refs", "_check_refs"),
    ("structural validation (JSON Schema)", "generator.validate.collapse", "_schema_errors"),
    (
        "semantic validation (openapi-spec-validator)",
        "generator.validate.structure",
        "_check_openapi_structure",
    ),
    (
        "semantic validation (openapi-spec-validator)",
        "generator.validate.structure",
        "_check_asyncapi_structure",
    ),
    ("rules", "generator.validate.rules", "_check_openapi_rules"),
    ("rules", "generator.validate.rules", "_check_asyncapi_rules"),
    ("rules", "generator.validate.extensions", "_check_extensions"),
    ("example checks", "generator.validate.examples", "_check_examples"),
    ("model building (IR)", "generator.model.openapi", "build_rest_api"),
    ("model building (IR)", "generator.model.asyncapi", "build_ws_api"),
    ("datamodel-code-generator", "generator.model.codegen", "_datamodel_codegen"),
    ("model transforms", "generator.model.codegen", "render_models"),
    ("templates (SDK modules)", "generator.render", "Project.render"),
    ("spec examples for samples", "generator.outputs.common", "spec_examples"),
    ("docs view (samples, field tables)", "generator.outputs.docs", "docs_view"),
    ("docs Markdown (templates)", "generator.outputs.docs", "_build_view_with_anchors"),
    ("docs Markdown (templates)", "generator.outputs.docs", "render_docs"),
    ("docs Markdown (templates)", "generator.outputs.docs", "render_pages"),
    ("docs HTML (Markdown to HTML)", "generator.outputs.markdown", "to_html"),
    ("docs HTML (page, search index)", "generator.outputs.docs", "render_html"),
    ("Postman", "generator.outputs.postman", "postman_collection"),
    ("Insomnia", "generator.outputs.insomnia", "insomnia_export"),
    ("Insomnia", "generator.outputs.insomnia", "insomnia_v5"),
    ("SDK CLI", "generator.outputs.cli", "render_cli"),
    ("ruff (fix + format)", "generator.render", "format_python"),
    ("writing", "generator.render", "write_atomically"),
)


def cpu() -> float:
    """CPU seconds of this process and its finished children (ruff): steadier than wall time on a
    shared machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Timers:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.stack: list[list[Any]] = []  # [stage, started, time of inner stages]

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [stage, cpu(), 0.0]
            self.stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()
                total = cpu() - frame[1]
                self.spent[stage] = self.spent.get(stage, 0.0) + total - frame[2]
                if self.stack:
                    self.stack[-1][2] += total

        return timed


def _install(timers: Timers) -> None:
    for stage, module_name, attr in STAGES:
        module = importlib.import_module(module_name)
        owner: Any = module
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        timed = timers.wrap(stage, original)
        setattr(owner, name, timed)
        if path:
            continue
        for other in list(sys.modules.values()):  # `from x import f` bindings
            mine = getattr(other, "__name__", "").startswith("generator") and other is not module
            if mine and getattr(other, name, None) is original:
                setattr(other, name, timed)
        render = importlib.import_module("generator.render")  # the outputs' `build`/`many`
        render.MANIFEST = tuple(
            dataclasses.replace(
                out,
                build=timed if out.build is original else out.build,
                many=timed if out.many is original else out.many,
            )
            for out in render.MANIFEST
        )


def profile(spec: Path) -> tuple[dict[str, float], float]:
    """(seconds by stage, total) of one in-process generation of `spec`."""
    timers = Timers()
    started = cpu()
    # the imports a cold run pays before its first stage
    import generator.cli
    import generator.pipeline
    import generator.render

    timers.spent["imports (generator, jinja2, validators)"] = cpu() - started
    from generator.model import codegen

    _install(timers)
    with generator.cli.collecting_rarely():  # as `main` does
        t0 = cpu()
        codegen._warm_up()  # what the forked worker does first
        timers.spent.pop("datamodel-code-generator", None)
        timers.spent.pop("model transforms", None)
        timers.spent["datamodel-code-generator import + warm-up"] = cpu() - t0
        original_worker = generator.pipeline.ModelWorker
        generator.pipeline.ModelWorker = lambda: original_worker(fork=False)  # type: ignore[misc, assignment]
        with tempfile.TemporaryDirectory() as tmp:
            generator.pipeline.generate(
                openapi=str(spec), asyncapi=None, out=Path(tmp) / "out", package="things"
            )
    return timers.spent, cpu() - started


def cold(spec: Path) -> tuple[float, float]:
    """(wall, CPU of all its processes) of one real `python -m generator generate`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run(
            ours_argv(spec, Path(tmp) / "out", "things"),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _child(spec: str) -> None:
    """Runs in a fresh interpreter: prints `stage\\tseconds` lines."""
    spent, total = profile(Path(spec))
    for stage, seconds in spent.items():
        print(f"{stage}\t{seconds:.4f}")
    print(f"total\t{total:.4f}")


def measure(spec: Path, with_cold: bool = True) -> dict[str, float]:
    """The stage table of `spec` from a fresh interpreter (cold imports), plus the real cold run."""
    out = subprocess.run(
        [sys.executable, "-c", f"from bench.profile import _child; _child({str(spec)!r})"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = {}
    for line in out.splitlines():
        stage, _, seconds = line.partition("\t")
        rows[stage] = float(seconds)
    if with_cold:
        rows["cold run: wall"], rows["cold run: CPU (all processes)"] = cold(spec)
    return rows


def table(results: dict[str, dict[str, float]], markdown: bool = False) -> str:
    names = list(results)
    order: list[str] = [
        "imports (generator, jinja2, validators)",
        "datamodel-code-generator import + warm-up",
    ]
    order += [s for s, _, _ in STAGES if s not in order]
    order = list(dict.fromkeys(order))
    head = ["stage", *(f"{n} s" for n in names), *(f"{n} %" for n in names)]
    if len(names) == 2:
        head.append(f"{names[1]} / {names[0]}")
    lines = [head]
    totals = {n: results[n]["total"] for n in names}

    def row(stage: str, label: str | None = None) -> list[str]:
        values = [results[n].get(stage, 0.0) for n in names]
        cells = [label or stage, *(f"{v:.2f}" for v in values)]
        cells += [
            f"{100 * v / totals[n]:.0f}" if stage in order or stage == "total" else ""
            for v, n in zip(values, names)
        ]
        if len(names) == 2:
            cells.append(f"{values[1] / values[0]:.1f}" if values[0] > 0.005 else "")
        return cells

    for stage in order:
        lines.append(row(stage))
    for n in names:
        results[n]["other"] = totals[n] - sum(results[n].get(s, 0.0) for s in order)
    lines.append(row("other", "other (argument parsing, Summary, gaps)"))
    lines.append(row("total", "total CPU (in-process, sequential)"))
    if all("cold run: wall" in results[n] for n in names):
        lines.append(row("cold run: wall"))
        lines.append(row("cold run: CPU (all processes)"))
    if markdown:
        out = ["| " + " | ".join(cells) + " |" for cells in lines]
        out.insert(1, "|" + "---|" * len(head))
        return "\n".join(out)
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in lines
    )


def run(
    specs: list[tuple[str, Path]], markdown: bool = False, with_cold: bool = True
) -> dict[str, dict[str, float]]:
    results = {}
    for label, spec in specs:
        print(f"[profile] {label}: {spec} ({spec.stat().st_size / 1e6:.2f} MB)", flush=True)
        results[label] = measure(spec, with_cold)
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(table(results))
    if markdown:
        print()
        print(table(results, markdown=True))
    return results


def default_specs(sizes: list[str] | None = None) -> list[tuple[str, Path]]:
    folder = workdir()
    return [
        (size, synth_spec.ensure(folder / f"synthetic-{size}.openapi.yaml", size))
        for size in sizes or ["1mb", "5mb"]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--size", action="append", choices=sorted(synth_spec.SIZES))
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--no-cold", action="store_true", help="skip the real cold runs")
    args = parser.parse_args(argv)
    try:
        specs = [(p.stem, p) for p in args.specs] or default_specs(args.size)
        run(specs, args.markdown, with_cold=not args.no_cold)
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
