"""1. Generation: cold `python -m generator generate` against openapi-python-client and OpenAPI Generator.

Each run is a new process (cold), the three tools alternate round-robin (like hyperfine's runs in a
loop), each output folder is removed before each run (untimed), and the median of the runs is
reported. Specs: the HotBit REST spec, the synthetic 1 MB and 5 MB OpenAPI 3.0 specs
(`bench/synth_spec.py`, 500 and 2,500 operations, written into the scratch folder at bench time),
and the largest published spec of the corpus that all three tools accept (`PUBLISHED`, KuCoin's
account API, 536 KB of JSON). The last row is the growth from 1 MB to 5 MB: our time ratio
(target <= 5.5, linear), the peers' in its note.

Fairness notes:
- openapi-python-client runs with its default post-hooks (`ruff check --fix`, `ruff format`): ours
  formats with ruff too. `--meta none` (no pyproject/README): ours writes those, so that favours it.
- OpenAPI Generator skips its docs and test stubs (`apiDocs/modelDocs/apiTests/modelTests=false`):
  ours writes neither, and skipping them only makes the JVM faster, i.e. our ratio worse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import synth_spec
from bench._common import (
    REST_SPEC,
    ROOT,
    VENV_BIN,
    Command,
    Report,
    Row,
    alternate,
    fmt,
    median,
    workdir,
)

OAG_SKIP = "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false"
# SnakeYAML refuses documents over 3 M code points unless told otherwise (the peers read JSON,
# which is parsed the same way)
OAG_JAVA_OPTS = "-DmaxYamlCodePoints=99999999"
# the corpus as the tests find it (SPEC_CORPUS, default /work/shared/spec-corpus), else a
# `shared/` folder beside the checkout
CORPUS = next(
    (
        root / "exchanges"
        for root in (
            Path(os.environ.get("SPEC_CORPUS", "/work/shared/spec-corpus")),
            ROOT.parent / "shared" / "spec-corpus",
            ROOT.parent.parent / "shared" / "spec-corpus",
        )
        if (root / "exchanges").is_dir()
    ),
    ROOT.parent / "shared" / "spec-corpus" / "exchanges",
)
PUBLISHED = CORPUS / "openapi" / "kucoin-account.json"
TOOLS = ("ours", "openapi-python-client", "OpenAPI Generator")


def _rm(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


WARNINGS: dict[str, str] = {}  # tool -> what it warned about on the last run (not a failure)


def _opc_check(proc: subprocess.CompletedProcess[bytes]) -> str | None:
    out = (proc.stdout + proc.stderr).decode(errors="replace")
    if proc.returncode != 0:
        return f"exit {proc.returncode}: " + " / ".join(out.strip().splitlines()[-5:])
    if "Warning" in out:
        WARNINGS["openapi-python-client"] = " / ".join(
            line.strip() for line in out.splitlines() if line.strip() and "Generating" not in line
        )[:400]
    return None


def bundled(spec: Path, out: Path) -> Path:
    """`spec` as one JSON file: every schema `$ref` into another file becomes a local component.
    The peers get this copy: openapi-python-client fails on a component that is only a `$ref`
    into another file (UnboundLocalError in `_create_schemas`). Ours reads the original."""
    from generator.load import load_document

    root = load_document(spec).data
    schemas = root.setdefault("components", {}).setdefault("schemas", {})
    names: dict[tuple[Path, str], str] = {}
    todo: list[tuple[str, Path, str]] = []

    def local(ref: str, base: Path) -> str:
        file, _, pointer = ref.partition("#")
        key = ((base.parent / file).resolve() if file else base, pointer)
        if key[0] == spec.resolve():
            return ref
        if key not in names:
            name = pointer.rsplit("/", 1)[-1] or key[0].stem
            while name in schemas and name not in {n for n, _, _ in todo}:
                name += "_"
            names[key] = name
            todo.append((name, *key))
        return f"#/components/schemas/{names[key]}"

    def rewrite(node: object, base: Path) -> object:
        if isinstance(node, dict):
            return {
                k: local(v, base) if k == "$ref" and isinstance(v, str) else rewrite(v, base)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rewrite(v, base) for v in node]
        return node

    for name, value in list(schemas.items()):  # `Order: {$ref: common.yaml#/Order}` keeps its name
        ref = value.get("$ref") if isinstance(value, dict) and len(value) == 1 else None
        if isinstance(ref, str) and not ref.startswith("#"):
            file, _, pointer = ref.partition("#")
            names[((spec.parent / file).resolve(), pointer)] = name
            todo.append((name, (spec.parent / file).resolve(), pointer))
    root = rewrite(root, spec.resolve())
    assert isinstance(root, dict)
    schemas = root["components"]["schemas"]
    done: set[str] = set()
    while todo:
        name, file, pointer = todo.pop(0)
        if name in done:
            continue
        done.add(name)
        target = load_document(file).data
        for token in filter(None, pointer.split("/")):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        schemas[name] = rewrite(target, file)
    path = out / f"{spec.stem}.bundled.json"
    path.write_text(json.dumps(root, indent=1, default=str), encoding="utf-8")
    return path


def ours_argv(spec: Path, out: Path, package: str) -> list[str]:
    """Our cold run: `python -m generator generate --openapi SPEC` (profile.py times it too)."""
    return [
        sys.executable,
        "-m",
        "generator",
        "generate",
        "--openapi",
        str(spec),
        "--out",
        str(out),
        "--package",
        package,
    ]


def commands(spec: Path, out: Path, package: str) -> dict[str, Command]:
    """The three generators on `spec`, each writing under `out/<tool>`."""
    ours, opc, oag = out / "ours", out / "opc_" / f"opc_{package}", out / "oag"
    out.mkdir(parents=True, exist_ok=True)
    peers_spec = bundled(spec, out)
    env = {"PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"}  # opc's ruff post-hooks
    return {
        "ours": Command(
            ours_argv(spec, ours, package),
            prepare=lambda: _rm(ours),
            cwd=ROOT,
            env=env,
        ),
        "openapi-python-client": Command(
            [
                str(VENV_BIN / "openapi-python-client"),
                "generate",
                "--path",
                str(peers_spec),
                "--output-path",
                str(opc),
                "--meta",
                "none",
                "--overwrite",
            ],
            prepare=lambda: (_rm(opc), opc.parent.mkdir(parents=True, exist_ok=True)),
            env=env,
            cwd=out,
            check=_opc_check,
        ),
        "OpenAPI Generator": Command(
            [
                str(VENV_BIN / "openapi-generator-cli"),
                "generate",
                "-g",
                "python",
                "-i",
                str(peers_spec),
                "-o",
                str(oag),
                "--package-name",
                f"oag_{package}",
                "--global-property",
                OAG_SKIP,
            ],
            prepare=lambda: _rm(oag),
            env={**env, "JAVA_OPTS": f"{os.environ.get('JAVA_OPTS', '')} {OAG_JAVA_OPTS}".strip()},
            cwd=out,
        ),
    }


def peer_outputs() -> dict[str, Path]:
    """sys.path entries holding `opc_hotbit` and `oag_hotbit`, generated from the REST spec.

    Reuses the generation benchmark's last output when it ran; generates once otherwise.
    """
    out = workdir() / "gen-hotbit"
    paths = {"opc": out / "opc_", "oag": out / "oag"}
    missing = {
        "openapi-python-client": not (paths["opc"] / "opc_hotbit" / "models").is_dir(),
        "OpenAPI Generator": not (paths["oag"] / "oag_hotbit" / "models").is_dir(),
    }
    todo = {k: v for k, v in commands(REST_SPEC, out, "hotbit").items() if missing.get(k)}
    if todo:
        out.mkdir(parents=True, exist_ok=True)
        _, errors = alternate(todo, 1, timeout=300)
        for name, err in errors.items():
            print(f"  ! {name} failed on {REST_SPEC.name}: {err}", flush=True)
    return paths


def _bench_spec(
    report: Report, label: str, spec: Path, package: str, runs: int
) -> dict[str, float] | None:
    """Adds the two rows of `spec`; returns each tool's median (None when ours failed)."""
    out = workdir() / f"gen-{package}"
    out.mkdir(parents=True, exist_ok=True)
    size = spec.stat().st_size
    print(
        f"[gen] {label} ({size / 1e3:,.0f} KB): {runs} cold runs per tool, alternating", flush=True
    )
    times, errors = alternate(commands(spec, out, package), runs, timeout=900)
    for name in TOOLS:
        if times[name]:
            spread = f"min {min(times[name]):.2f} s, max {max(times[name]):.2f} s"
            print(
                f"  {name:22} median {median(times[name]):6.2f} s ({spread}, n={len(times[name])})",
                flush=True,
            )
        if name in errors:
            print(f"  {name:22} FAILED: {errors[name]}", flush=True)
    if "ours" in errors or not times["ours"]:
        for peer, limit in (("openapi-python-client", 0.5), ("OpenAPI Generator", 0.3)):
            report.add(
                Row.missing(
                    f"generate {label} vs {peer}",
                    f"<= {limit:.2f}",
                    f"ours failed: {errors.get('ours', 'no run')}",
                )
            )
        return None
    ours = median(times["ours"])
    for peer, limit in (("openapi-python-client", 0.5), ("OpenAPI Generator", 0.3)):
        name = f"generate {label} vs {peer}"
        if peer in errors or not times[peer]:
            report.add(
                Row(
                    name,
                    fmt(ours, "s"),
                    f"failed: {errors.get(peer, 'no run')}",
                    None,
                    f"<= {limit:.2f}",
                    None,
                    f"{peer} could not generate this spec",
                )
            )
            continue
        note = f"median of {min(len(times['ours']), len(times[peer]))} cold runs"
        if peer in WARNINGS:
            note += f"; {peer} warned: {WARNINGS.pop(peer)}"
        report.add(Row.time_ratio(name, ours, median(times[peer]), peer, limit, "s", note=note))
    return {name: median(times[name]) for name in TOOLS if times[name] and name not in errors}


def _growth(report: Report, small: dict[str, float] | None, big: dict[str, float] | None) -> None:
    name = "generation growth synthetic 1 MB -> 5 MB (time ratio)"
    if not small or not big or "ours" not in small or "ours" not in big:
        report.add(Row.missing(name, "<= 5.50", "a synthetic run failed"))
        return
    ratio = big["ours"] / small["ours"]
    peers = "; ".join(
        f"{peer} {big[peer] / small[peer]:.2f}"
        for peer in TOOLS[1:]
        if peer in small and peer in big
    )
    report.add(
        Row(
            name,
            f"{small['ours']:.2f} s -> {big['ours']:.2f} s",
            "x5.0 the size (2,500 vs 500 operations)",
            ratio,
            "<= 5.50",
            ratio <= 5.5,
            f"the peers' growth: {peers}" if peers else "",
        )
    )


def run(report: Report, runs: int = 5, large_runs: int = 5, huge_runs: int = 3) -> None:
    _bench_spec(report, "HotBit REST", REST_SPEC, "hotbit", runs)
    folder = workdir()
    small = _bench_spec(
        report,
        "synthetic 1 MB",
        synth_spec.ensure(folder / "synthetic-1mb.openapi.yaml", "1mb"),
        "things",
        large_runs,
    )
    if PUBLISHED.is_file():
        _bench_spec(report, f"published {PUBLISHED.stem}", PUBLISHED, "kucoin", runs)
    else:
        for peer in ("openapi-python-client", "OpenAPI Generator"):
            report.add(
                Row.missing(f"generate published spec vs {peer}", "-", f"{PUBLISHED} missing")
            )
    big = _bench_spec(
        report,
        "synthetic 5 MB",
        synth_spec.ensure(folder / "synthetic-5mb.openapi.yaml", "5mb"),
        "things",
        huge_runs,
    )
    _growth(report, small, big)
