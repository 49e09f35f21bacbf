"""`python -m bench [--only NAME ...] [--quick] [--markdown] [--json FILE]`: every benchmark, then
the table of ratios. See bench/README.md."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict

from bench._common import Report, Row, cleanup, machine, table

BENCHMARKS = ("gen", "decode", "ws", "rest", "orderbook", "importtime")
EXTRA = ("profile",)  # only with --only: the per-stage generation profile (bench/profile.py)


def _runner(name: str, quick: bool) -> Callable[[Report], None]:
    if name == "profile":
        from bench import profile

        def stages(_: Report) -> None:  # prints its own table; no ratio rows
            profile.run(profile.default_specs(), markdown=True)

        return stages
    if name == "gen":
        from bench import gen

        return lambda r: gen.run(r, runs=5, large_runs=5)
    if name == "decode":
        from bench import decode

        return lambda r: decode.run(r, rounds=5 if quick else 7)
    if name == "ws":
        from bench import ws

        return lambda r: ws.run(r, rounds=41 if quick else 121)
    if name == "rest":
        from bench import rest

        return lambda r: rest.run(r, rounds=9 if quick else 15)
    if name == "orderbook":
        from bench import orderbook

        return lambda r: orderbook.run(r, rounds=5 if quick else 7)
    if name == "importtime":
        from bench import importtime

        def both(r: Report) -> None:
            importtime.run(r, runs=5 if quick else 9)
            importtime.run_large(r)

        return both
    raise ValueError(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS + EXTRA, help="run only these (repeatable)"
    )
    parser.add_argument(
        "--skip", action="append", choices=BENCHMARKS, default=[], help="leave these out"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer in-process repeats (cold runs stay >= 5)"
    )
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="write the rows as JSON")
    args = parser.parse_args(argv)

    names = [n for n in (args.only or BENCHMARKS) if n not in args.skip]
    report = Report()
    host = machine()
    print(f"machine: {host}", flush=True)
    started = time.perf_counter()
    try:
        for name in names:
            t0 = time.perf_counter()
            try:
                _runner(name, args.quick)(report)
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
                traceback.print_exc()
                report.add(
                    Row.missing(name, "-", f"benchmark crashed: {type(exc).__name__}: {exc}")
                )
            print(f"[{name}] {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        cleanup()
    total = time.perf_counter() - started
    print()
    print(f"=== results ({host}; total {total:.0f} s) ===")
    print(table(report.rows))
    if args.markdown:
        print()
        print(table(report.rows, markdown=True))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"machine": host, "seconds": total, "rows": [asdict(r) for r in report.rows]},
                fh,
                indent=2,
            )
    missed = [r for r in report.rows if r.met is False]
    unmeasured = [r for r in report.rows if r.met is None]
    print(
        f"\n{len(report.rows) - len(missed) - len(unmeasured)} met, {len(missed)} missed, "
        f"{len(unmeasured)} not measured"
    )
    return 0  # a benchmark reports; it never fails the build


if __name__ == "__main__":
    sys.exit(main())
