"""6. Import time: `python -X importtime -c "import hotbit"` in a cold subprocess, median of the runs.

The number is the cumulative import time of `hotbit` as -X importtime reports it (interpreter
start-up excluded). The baseline column is `import httpx, msgspec` measured the same way: the two
runtime dependencies the SDK cannot do without, i.e. the floor of what `import hotbit` can cost.

What a user's environment holds changes the number: httpx imports its optional CLI (click, pygments,
rich: +100 ms) when they are installed, as they are in this dev venv. So the runs hide every
installed distribution that is not in the dependency closure of generated/pyproject.toml, as if
only `pip install ./generated` had run; the unhidden number is printed too.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

from bench import synth_spec
from bench._common import GENERATED, ROOT, Report, Row, workdir

LIMIT_MS = 80.0  # issue 14
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def sdk_closure() -> set[str]:
    """Normalised names of the distributions `pip install ./generated` would install."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((GENERATED / "pyproject.toml").read_text())["project"]
    # the SDK's own distribution too: an installed copy (or a build's egg-info left in generated/,
    # which is on the path) must not hide `hotbit` from itself
    todo = [Requirement(project["name"]), *(Requirement(d) for d in project["dependencies"])]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo.extend(Requirement(r) for r in metadata.requires(req.name) or [])
        except metadata.PackageNotFoundError:
            pass
    return seen


def hidden_modules() -> list[str]:
    """Top-level modules of installed distributions outside the SDK's dependency closure."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    keep = sdk_closure()
    return sorted(
        mod
        for mod, dists in metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in keep for d in dists)
        and mod.isidentifier()
        and not (GENERATED / mod).is_dir()
    )


_HIDE = """
import sys
_HIDDEN = frozenset({hidden!r})
class _Hide:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, _Hide)
"""


def _importtime(
    code: str, hidden: list[str] | None = None, root: Path = GENERATED
) -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, module) lines of one cold run, `root` on the path."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": ""}
    if hidden:
        code = _HIDE.format(hidden=hidden) + code
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    out = []
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), (len(m.group(3)) - 1) // 2, m.group(4)))
    return out


def _total(lines: list[tuple[int, int, int, str]], roots: set[str]) -> int:
    return sum(cum for _, cum, depth, mod in lines if depth == 0 and mod in roots)


def _subtree(lines: list[tuple[int, int, int, str]], root: str) -> list[tuple[int, int, int, str]]:
    """The lines imported by `root` (a depth-0 line), root included: children are printed first."""
    start = 0
    for i, (_, _, depth, mod) in enumerate(lines):
        if depth == 0:
            if mod == root:
                return lines[start : i + 1]
            start = i + 1
    return []


def run(report: Report, runs: int = 9) -> None:
    print(f"[importtime] {runs} cold runs each, alternating", flush=True)
    ours: list[int] = []
    base: list[int] = []
    self_us: dict[str, list[int]] = defaultdict(list)
    top: dict[str, list[int]] = defaultdict(list)
    hidden = hidden_modules()
    _importtime("import hotbit", hidden)  # warm the bytecode caches: measure imports, not compiles
    _importtime("import httpx, msgspec", hidden)
    for i in range(runs):
        for which in ("ours", "base") if i % 2 == 0 else ("base", "ours"):
            if which == "base":
                base.append(
                    _total(_importtime("import httpx, msgspec", hidden), {"httpx", "msgspec"})
                )
                continue
            lines = _subtree(_importtime("import hotbit", hidden), "hotbit")
            ours.append(_total(lines, {"hotbit"}))
            by_package: dict[str, int] = defaultdict(int)
            for s, cum, depth, mod in lines:
                by_package[mod.partition(".")[0] if not mod.startswith("hotbit") else mod] += s
                if depth == 1:
                    top[mod].append(cum)
            for mod, s in by_package.items():
                self_us[mod].append(s)
    unhidden = (
        statistics.median(_total(_importtime("import hotbit"), {"hotbit"}) for _ in range(3)) / 1e3
    )
    # The clients load on first use (PEP 562): what `hotbit.Client` adds (httpx, the models).
    first_use = [
        sum(
            cum
            for _, cum, depth, mod in _importtime("import hotbit; hotbit.Client", hidden)
            if depth == 0 and mod.partition(".")[0] == "hotbit"
        )
        for _ in range(max(3, runs // 2))
    ]
    med = statistics.median(ours) / 1e3
    floor = statistics.median(base) / 1e3
    print(
        f"  import hotbit        median {med:6.1f} ms (min {min(ours) / 1e3:.1f}, max {max(ours) / 1e3:.1f})"
    )
    print(f"  import httpx,msgspec median {floor:6.1f} ms")
    print(
        f"  import hotbit; hotbit.Client (first use, loads httpx and the models) median "
        f"{statistics.median(first_use) / 1e3:6.1f} ms"
    )
    print(
        f"  import hotbit with this venv's extra distributions visible: {unhidden:.1f} ms "
        f"({len(hidden)} top-level modules hidden otherwise)"
    )
    print("  direct imports of hotbit (cumulative, median):")
    for mod, v in sorted(top.items(), key=lambda kv: -statistics.median(kv[1]))[:12]:
        print(f"    {statistics.median(v) / 1e3:7.1f} ms  {mod}")
    print("  self time by package (hotbit modules separately), median:")
    hot = sorted(self_us.items(), key=lambda kv: -statistics.median(kv[1]))[:12]
    for mod, v in hot:
        print(f"    {statistics.median(v) / 1e3:7.1f} ms  {mod}")
    contributors = ", ".join(f"{mod} {statistics.median(v) / 1e3:.0f} ms" for mod, v in hot)
    report.add(
        Row(
            "import hotbit",
            f"{med:.1f} ms",
            f"{floor:.1f} ms import httpx+msgspec",
            med / floor,
            f"< {LIMIT_MS:.0f} ms",
            med < LIMIT_MS,
            f"median of {runs} cold runs, only the SDK's dependency closure importable "
            f"({unhidden:.0f} ms in the dev venv, where httpx also loads rich/click/pygments); "
            f"the clients load on first use: `hotbit.Client` then adds "
            f"{(statistics.median(first_use) / 1e3) - med:.0f} ms (httpx, the models); "
            "self time by package: " + ", ".join(contributors.split(", ")[:6]),
        )
    )


def run_large(report: Report, runs: int = 5) -> None:
    """Import of the package generated from the synthetic ~1 MB spec (hundreds of operations),
    against `import hotbit`: "stays fast" read as at most twice the HotBit package's import."""
    big = workdir() / "gen-things" / "ours"
    if not (big / "things").is_dir():
        spec = workdir() / "synthetic-1mb.openapi.yaml"
        if not spec.exists():
            synth_spec.write(spec)
        cmd = [sys.executable, "-m", "generator", "generate", "--openapi", str(spec),
               "--out", str(big), "--package", "things"]  # fmt: skip
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    hidden = hidden_modules()
    _importtime("import things", hidden, big)  # compile once: measure imports, not compiles
    large = [_total(_importtime("import things", hidden, big), {"things"}) for _ in range(runs)]
    small = [_total(_importtime("import hotbit", hidden), {"hotbit"}) for _ in range(runs)]
    ours, base = statistics.median(large) / 1e3, statistics.median(small) / 1e3
    operations = sum(
        1
        for line in (big / "things" / "_operations.py").read_text().splitlines()
        if line.startswith("def ") and line.endswith("_request(")
    )
    print(
        f"  import things (1 MB spec) median {ours:6.1f} ms; import hotbit {base:6.1f} ms",
        flush=True,
    )
    report.add(
        Row.time_ratio(
            "import of the 1 MB spec's package",
            ours / 1e3,
            base / 1e3,
            "import hotbit",
            2.0,
            "s",
            note=f"median of {runs} cold runs; {operations or 'hundreds of'} operations",
        )
    )
