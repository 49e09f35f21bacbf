"""Command line: `python -m generator {validate,generate} ...`.

Every failure caused by the input is printed as located problems and exits with status 2;
no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.problems import Problem, Severity, SpecError

EXIT_OK, EXIT_SPEC = 0, 2


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from generator.validate import validate_files

    problems = validate_files(args.files, lenient=args.lenient, external=not args.no_external)
    _print_problems(problems)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        print(f"{len(errors)} error(s) in {len(args.files)} file(s)", file=sys.stderr)
        return EXIT_SPEC
    print(f"ok: {len(args.files)} file(s) valid" + (f", {len(problems)} warning(s)" if problems else ""))
    return EXIT_OK


def _cmd_generate(args: argparse.Namespace) -> int:
    from generator.render import generate

    if not args.openapi and not args.asyncapi:
        print("generate needs --openapi FILE and/or --asyncapi FILE", file=sys.stderr)
        return EXIT_SPEC
    warnings = generate(
        openapi=args.openapi,
        asyncapi=args.asyncapi,
        out=Path(args.out),
        package=args.package,
        lenient=args.lenient,
        templates=args.templates,
    )
    _print_problems(warnings)
    print(f"generated {args.package} in {args.out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate OpenAPI/AsyncAPI files and lint them")
    v.add_argument("files", nargs="+")
    v.add_argument("--lenient", action="store_true", help="report problems as warnings")
    v.add_argument("--no-external", action="store_true", help="skip the Node linters (Spectral)")
    v.set_defaults(func=_cmd_validate)

    g = sub.add_parser("generate", help="render an SDK package from the specs")
    g.add_argument("--openapi", help="OpenAPI 3.0/3.1 document")
    g.add_argument("--asyncapi", help="AsyncAPI 2.x/3.0 document")
    g.add_argument("--out", required=True, help="output folder (replaced atomically)")
    g.add_argument("--package", required=True, help="Python package name, e.g. hotbit")
    g.add_argument("--lenient", action="store_true", help="generate despite spec problems (as warnings)")
    g.add_argument("--templates", help="folder of templates that override the built-in ones")
    g.set_defaults(func=_cmd_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SpecError as exc:
        _print_problems(exc.problems)
        return EXIT_SPEC
    except KeyboardInterrupt:
        return 130
