"""Shared pieces: result rows, timers (in-process and cold subprocess), machine facts, paths."""

from __future__ import annotations

import gc
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REST_SPEC = SPECS / "hotbit-rest.openapi.yaml"
WS_SPEC = SPECS / "hotbit-websocket.asyncapi.yaml"
RECORDINGS = ROOT / "tests" / "recordings"
GENERATED = ROOT / "generated"
VENV_BIN = Path(sys.executable).parent

# The generated SDK is imported from generated/ (like the tests do), not from an installed copy.
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))


# -- results ----------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the final table.

    `ratio` is ours / baseline in the unit of the row: a time (lower is better, target `<= x`) or a
    rate (higher is better, target `>= x`). `met` is None when the row could not be measured.
    """

    benchmark: str
    ours: str
    baseline: str
    ratio: float | None
    target: str  # "<= 1.00", ">= 0.80", "< 150 ms"
    met: bool | None
    note: str = ""

    @classmethod
    def time_ratio(
        cls,
        name: str,
        ours: float,
        base: float,
        base_name: str,
        limit: float,
        unit: str,
        note: str = "",
    ) -> Row:
        ratio = ours / base
        return cls(
            name,
            fmt(ours, unit),
            f"{fmt(base, unit)} {base_name}".strip(),
            ratio,
            f"<= {limit:.2f}",
            ratio <= limit,
            note,
        )

    @classmethod
    def rate_ratio(
        cls,
        name: str,
        ours: float,
        base: float,
        base_name: str,
        limit: float,
        unit: str,
        note: str = "",
        ratio: float | None = None,
    ) -> Row:
        """`ratio` defaults to ours / base (e.g. the median of paired per-round ratios instead)."""
        ratio = ours / base if ratio is None else ratio
        return cls(
            name,
            f"{ours:,.0f} {unit}",
            f"{base:,.0f} {unit} {base_name}",
            ratio,
            f">= {limit:.2f}",
            ratio >= limit,
            note,
        )

    @classmethod
    def missing(cls, name: str, target: str, why: str) -> Row:
        return cls(name, "-", "-", None, target, None, why)


def fmt(seconds: float, unit: str) -> str:
    scale = {"s": 1.0, "ms": 1e3, "us": 1e6}[unit]
    value = seconds * scale
    digits = 2 if value < 10 else 1 if value < 100 else 0
    return f"{value:.{digits}f} {unit}"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  -> {render_row(row)}", flush=True)


def render_row(row: Row) -> str:
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
    met = {True: "yes", False: "NO", None: "n/a"}[row.met]
    return f"{row.benchmark} | {row.ours} | {row.baseline} | {ratio} | {row.target} | {met}"


def table(rows: Sequence[Row], markdown: bool = False) -> str:
    header = ["benchmark", "ours", "baseline", "ratio", "target", "met?"]
    body = []
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        met = {True: "yes", False: "**NO**" if markdown else "NO", None: "n/a"}[r.met]
        body.append([r.benchmark, r.ours, r.baseline, ratio, r.target, met])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        notes = [f"- {r.benchmark}: {r.note}" for r in rows if r.note]
        return "\n".join(lines + ([""] + notes if notes else []))
    widths = [
        max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)
    ]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths))
    out = [line(header), "-+-".join("-" * w for w in widths)] + [line(b) for b in body]
    notes = [f"  * {r.benchmark}: {r.note}" for r in rows if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


# -- machine ----------------------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    java = shutil.which("java")
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()} ({sys.implementation.name}); "
        f"{platform.system()} {platform.release()}; java {'yes' if java else 'missing'}; "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


# -- in-process timing --------------------------------------------------------------------------
def autorange(fn: Callable[[], Any], target: float = 0.02) -> int:
    """Loop count so that one sample takes about `target` seconds."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target / 4 or n >= 1 << 22:
            return max(1, int(n * target / max(dt, 1e-9)))
        n *= 4


def compare(
    fns: Mapping[str, Callable[[], Any]], rounds: int = 7, per_round: int = 9, target: float = 0.002
) -> dict[str, float]:
    """Seconds per call of each function: the median over `rounds` of each round's best sample.

    A sample is ~`target` seconds of back-to-back calls; the functions' samples are interleaved in a
    fresh random order every time. On a shared 2-core machine a sample is often stretched by another
    process taking the core, so each round keeps its fastest sample (like timeit) and the reported
    value is the median of the rounds.
    """
    loops = {name: autorange(fn, target) for name, fn in fns.items()}
    best: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    shuffle = random.Random(1234).shuffle
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            samples: dict[str, list[float]] = {name: [] for name in fns}
            for _ in range(per_round):
                order = names[:]
                shuffle(order)
                for name in order:
                    fn, n = fns[name], loops[name]
                    t0 = time.perf_counter()
                    for _ in range(n):
                        fn()
                    samples[name].append((time.perf_counter() - t0) / n)
            for name in names:
                best[name].append(min(samples[name]))
    finally:
        if gc_was:
            gc.enable()
    return {name: statistics.median(b) for name, b in best.items()}


# -- cold subprocess timing -----------------------------------------------------------------------
@dataclass
class Command:
    argv: list[str]
    prepare: Callable[[], None] | None = None  # run before each timed run, untimed
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    check: Callable[[subprocess.CompletedProcess[bytes]], str | None] | None = None  # -> error


def alternate(
    commands: Mapping[str, Command], runs: Mapping[str, int] | int, timeout: float = 120.0
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Cold runs (a new process each), rotated round-robin like hyperfine's --runs in a loop.

    Returns wall seconds per command, and the first error of each command that failed (a failed
    command is not run again).
    """
    want = {name: runs if isinstance(runs, int) else runs[name] for name in commands}
    times: dict[str, list[float]] = {name: [] for name in commands}
    errors: dict[str, str] = {}
    names = list(commands)
    rnd = 0
    while any(len(times[n]) < want[n] for n in names if n not in errors):
        order = names[rnd % len(names) :] + names[: rnd % len(names)]
        rnd += 1
        for name in order:
            if name in errors or len(times[name]) >= want[name]:
                continue
            cmd = commands[name]
            if cmd.prepare:
                cmd.prepare()
            env = {**os.environ, **(cmd.env or {})}
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(
                    cmd.argv,
                    cwd=cmd.cwd,
                    env=env,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                errors[name] = f"timed out after {timeout:.0f}s"
                continue
            dt = time.perf_counter() - t0
            problem = cmd.check(proc) if cmd.check else None
            if proc.returncode != 0 and problem is None:
                tail = (
                    (proc.stderr or proc.stdout).decode(errors="replace").strip().splitlines()[-5:]
                )
                problem = f"exit {proc.returncode}: " + " / ".join(tail)
            if problem:
                errors[name] = problem
                continue
            times[name].append(dt)
    return times, errors


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired(ours: Sequence[float], base: Sequence[float]) -> tuple[float, str]:
    """The median of the per-round ratios ours[i] / base[i] (measured side by side in one round,
    so both saw the same machine load), and their spread as text."""
    ratios = sorted(o / b for o, b in zip(ours, base, strict=True))
    med = statistics.median(ratios)
    quart = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [med, med, med]
    return med, (
        f"per-round ratio min {ratios[0]:.3f} / median {med:.3f} / max {ratios[-1]:.3f}, "
        f"IQR {quart[0]:.3f}-{quart[2]:.3f}, {len(ratios)} rounds"
    )


# -- scratch space ------------------------------------------------------------------------------
_WORKDIR: Path | None = None


def workdir() -> Path:
    """One temporary folder per `python -m bench` run, shared by the modules, removed at exit."""
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="hotbit-bench-"))
    return _WORKDIR


def cleanup() -> None:
    global _WORKDIR
    if _WORKDIR is not None:
        shutil.rmtree(_WORKDIR, ignore_errors=True)
        _WORKDIR = None
