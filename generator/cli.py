"""Command line: `python -m generator {validate,generate,mock} ...` (installed: `spec-sdk-generator`
or its short alias `sdkgen`).

Every failure caused by the input is printed as located problems and exits with status 2;
no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from generator.problems import Problem, Severity, SpecError, fold_warnings

EXIT_OK, EXIT_SPEC = 0, 2
# the console scripts of pyproject.toml, the same as `python -m generator`
COMMANDS = ("spec-sdk-generator", "sdkgen")


def _print_problems(problems: list[Problem], verbose: bool = True) -> None:
    """Every problem, one line each; without `verbose` a rule's repeated warnings fold."""
    for problem in problems if verbose else fold_warnings(problems):
        print(problem, file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from generator.validate import validate_files

    problems = validate_files(
        args.files,
        lenient=args.lenient,
        strict=args.strict,
        external=not args.no_external,
        require_external=args.require_external,
    )
    _print_problems(problems, args.verbose)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        print(f"{len(errors)} error(s) in {len(args.files)} file(s)", file=sys.stderr)
        return EXIT_SPEC
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    print(
        f"ok: {len(args.files)} file(s) valid"
        + (f", {len(warnings)} warning(s)" if warnings else "")
    )
    return EXIT_OK


def _cmd_generate(args: argparse.Namespace) -> int:
    from generator.pipeline import Summary, generate

    if not args.openapi and not args.asyncapi:
        print("generate needs --openapi FILE and/or --asyncapi FILE", file=sys.stderr)
        return EXIT_SPEC
    warnings = generate(
        openapi=args.openapi,
        asyncapi=args.asyncapi,
        out=Path(args.out),
        package=args.package,
        lenient=args.lenient,
        strict=args.strict,
        templates=args.templates,
        summary=(summary := Summary()),
        convert=not args.no_convert,
        overlays=args.overlay or (),
    )
    _print_problems(warnings, args.verbose)
    print(f"generated {args.package} in {args.out}: {summary}")
    return EXIT_OK


def _cmd_mock(args: argparse.Namespace) -> int:
    from generator.mock.cli import serve

    return serve(
        args.openapi,
        args.recordings,
        args.secret_key,
        args.host,
        args.port,
        api_key=args.api_key,
        asyncapi=args.asyncapi,
        ws_recordings=args.ws_recordings,
        ws_port=args.ws_port,
        overlays=args.overlay or (),
    )


def _policy_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--lenient",
        action="store_true",
        help="report errors as warnings too, as long as the document is still usable",
    )
    group.add_argument(
        "--strict",
        action="store_true",
        help="report warnings (problems beyond the standard: examples, authoring rules, "
        "Spectral) as errors",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print every warning (by default a rule's repeated warnings are one line)",
    )


def build_parser() -> argparse.ArgumentParser:
    invoked = os.path.basename(sys.argv[0]) if sys.argv else ""
    prog = invoked if invoked in COMMANDS else "python -m generator"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate OpenAPI/AsyncAPI files and lint them")
    v.add_argument("files", nargs="+")
    _policy_options(v)
    v.add_argument("--no-external", action="store_true", help="skip the Node linters (Spectral)")
    v.add_argument(
        "--require-external",
        action="store_true",
        help="fail if the Node linters are not installed (default: skip them, with a note)",
    )
    v.set_defaults(func=_cmd_validate)

    g = sub.add_parser("generate", help="render an SDK package from the specs")
    g.add_argument("--openapi", help="OpenAPI 3.0/3.1 document")
    g.add_argument("--asyncapi", help="AsyncAPI 2.x/3.0 document")
    g.add_argument("--out", required=True, help="output folder (replaced atomically)")
    g.add_argument("--package", required=True, help="Python package name, e.g. my_api")
    _policy_options(g)
    g.add_argument("--templates", help="folder of templates that override the built-in ones")
    g.add_argument(
        "--overlay",
        action="append",
        metavar="FILE",
        help="an OpenAPI Overlay 1.0 document to apply to --openapi first (repeatable, in order)",
    )
    g.add_argument(
        "--no-convert",
        action="store_true",
        help="refuse a Swagger 2.0 document instead of converting it with swagger2openapi",
    )
    g.set_defaults(func=_cmd_generate)

    m = sub.add_parser("mock", help="serve a mock exchange from the specs and recorded exchanges")
    m.add_argument("--openapi", required=True, help="OpenAPI 3.0/3.1 document (REST routes)")
    m.add_argument("--asyncapi", help="AsyncAPI document with x-rpc (WebSocket JSON-RPC mock)")
    m.add_argument(
        "--recordings", help="folder of recorded REST exchanges (<operationId>[__variant].json)"
    )
    m.add_argument("--ws-recordings", help="folder of recorded WebSocket sessions")
    m.add_argument(
        "--overlay", action="append", metavar="FILE", help="an Overlay 1.0 document (repeatable)"
    )
    m.add_argument("--ws-port", type=int, default=0, help="WebSocket port (default: any free port)")
    m.add_argument("--secret-key", help="check the signature of signed operations with this secret")
    m.add_argument("--api-key", help="also require this api key on signed operations")
    m.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    m.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    m.add_argument("--package", help="ignored (lets `make mock` pass the generate arguments)")
    m.set_defaults(func=_cmd_mock)
    return parser


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """A batch run builds big trees that live until it ends (the YAML, the document model): the
    cyclic GC scanning them again and again took half of a 5 MB spec's load time. Collect after
    200,000 allocations instead of 700 (as mypy does), and never scan what exists already; as it
    was afterwards (`main` may run inside another program)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(200_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("generate", "validate"):
        with collecting_rarely():
            return _run(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except SpecError as exc:
        _print_problems(exc.problems)
        errors = [p for p in exc.problems if p.severity is Severity.ERROR]
        if args.command == "generate" and errors:
            print(f"{len(errors)} error(s): nothing generated", file=sys.stderr)
        return EXIT_SPEC
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        print("error: the input nests too deeply to process", file=sys.stderr)
        return EXIT_SPEC
    except Exception as exc:  # noqa: BLE001 - never a traceback: one line, and the exit status of bad input
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); please report it with the input",
            file=sys.stderr,
        )
        return EXIT_SPEC
