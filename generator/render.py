"""Stage 4: render the intermediate model into a package folder, atomically.

`Project` sets up Jinja once; a `ChoiceLoader` puts a user's template folder in front of the
built-in `templates/`, so any single template can be overridden. Model modules come from
`generator.model.codegen` (datamodel-code-generator), every Python file is formatted with the
pinned ruff, and the result replaces the output folder in one rename: on any failure the old
folder is left as it was. The whole pipeline (load, validate, model, render) is
`generator.pipeline.generate`.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator import __version__, outputs, runtime
from generator.load import Document
from generator.model.codegen import ModelWorker
from generator.model.ir import RestApi, WsApi
from generator.naming import pascal, stand_ins
from generator.problems import Problem, SpecError

# The repository's top-level templates/, installed as the package `generator.templates` (setup.py).
BUILTIN_TEMPLATES = Path(str(importlib.resources.files("generator.templates")))
Context = dict[str, Any]


@dataclass(frozen=True)
class Output:
    template: str  # the Jinja template rendered with the context ("" when `build` needs none)
    path: str  # relative to the output folder; {package} is replaced
    when: Callable[[Context], bool] = lambda ctx: True
    # Outputs that are not one template rendered with the context (JSON documents, pages that need
    # the spec's examples): `build(project, template)` returns the file's text. See generator/outputs/
    build: Callable[[Project, str], str] | None = None
    # Several files under `path` (a folder): `many(project, template)` maps their names to texts.
    many: Callable[[Project, str], dict[str, str]] | None = None


def _has_rest(ctx: Context) -> bool:
    return ctx["api"] is not None


def _has_ws(ctx: Context) -> bool:
    return ctx["ws"] is not None


def _has_signing(ctx: Context) -> bool:
    rest, ws = ctx["api"], ctx["ws"]
    return bool((rest and rest.signature) or (ws and ws.auth))


def _has_rpc(ctx: Context) -> bool:
    return ctx["ws"] is not None and ctx["ws"].framing is not None


def _has_plain_ws(ctx: Context) -> bool:
    return ctx["ws"] is not None and ctx["ws"].framing is None


def _has_order_books(ctx: Context) -> bool:
    return ctx["ws"] is not None and bool(getattr(ctx["ws"], "order_books", None))


def _copy_runtime(project: Project, module: str) -> str:
    """A runtime module, verbatim: `package/<module>` in --templates overrides generator/runtime's."""
    if project.templates is not None and (project.templates / "package" / module).is_file():
        return (project.templates / "package" / module).read_text(encoding="utf-8")
    return runtime.source(module)


def _runtime(module: str, when: Callable[[Context], bool] = lambda ctx: True) -> Output:
    return Output(module, "{package}/" + module, when, build=_copy_runtime)


MANIFEST: tuple[Output, ...] = (
    Output("pyproject.toml.j2", "pyproject.toml"),
    Output("README.md.j2", "README.md"),
    Output("package/py.typed.j2", "{package}/py.typed"),
    Output("package/__init__.py.j2", "{package}/__init__.py"),
    Output("package/_constants.py.j2", "{package}/_constants.py"),
    Output("package/errors.py.j2", "{package}/errors.py"),
    # The runtime (generator/runtime/), copied byte for byte.
    _runtime("_errors.py"),
    _runtime("_extra.py"),
    _runtime("_wire.py"),
    _runtime("_signing.py", lambda c: _has_rest(c) or _has_signing(c)),
    _runtime("_checks.py", _has_rest),
    _runtime("_transport.py", _has_rest),
    _runtime("_ws_runtime.py", _has_ws),
    _runtime("_ws_rpc.py", _has_rpc),
    _runtime("_ws_plain.py", _has_plain_ws),
    _runtime("_orderbook.py", _has_order_books),
    Output("package/_operations.py.j2", "{package}/_operations.py", _has_rest),
    Output("package/client.py.j2", "{package}/client.py", _has_rest),
    Output("package/websocket.py.j2", "{package}/websocket.py", _has_ws),
    Output(
        "package/ws_models.py.j2",
        "{package}/ws_models.py",
        lambda c: c["ws"] is not None and bool(c["ws"].model_names),
    ),
    Output("package/orderbook.py.j2", "{package}/orderbook.py", _has_order_books),
    # Command line (`python -m <package>`) and the non-Python outputs (generator/outputs/).
    Output("package/__main__.py.j2", "{package}/__main__.py", build=outputs.render_cli),
    Output(
        "postman/prerequest.js.j2",
        "postman/{package}.postman_collection.json",
        _has_rest,
        build=outputs.postman_collection,
    ),
    Output("", "insomnia/{package}.insomnia.json", _has_rest, build=outputs.insomnia_export),
    Output("", "insomnia/{package}.insomnia.yaml", _has_rest, build=outputs.insomnia_v5),
    Output("docs/reference.md.j2", "docs/reference.md", build=outputs.render_docs),
    Output("docs/index.html.j2", "docs/index.html", build=outputs.render_html),
    Output("docs/llms.txt.j2", "docs/llms.txt", build=outputs.render_docs),
    Output("docs/llms-full.txt.j2", "docs/llms-full.txt", build=outputs.render_docs),
    Output("docs/reference.md.j2", "docs/sections/", many=outputs.render_pages),
)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates persist across runs, like __pycache__ (keyed by template source)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "spec-sdk-generator" / f"jinja-{__version__}-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def header_for(docs: list[tuple[str, str]], comment: str = "#") -> str:
    lines = [
        f"Generated by spec-sdk-generator {__version__}. Do not edit: change the spec and regenerate."
    ]
    lines += [f"Source: {name} sha256:{digest}" for name, digest in docs]
    return "\n".join(f"{comment} {line}" for line in lines)


class Project:
    def __init__(
        self,
        package: str,
        api: RestApi | None,
        ws: WsApi | None,
        templates: Path | None = None,
        documents: dict[str, Document] | None = None,
    ):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", package):
            raise SpecError(
                [
                    Problem(
                        "<command line>",
                        None,
                        "",
                        f"--package {package!r} is not a valid module name",
                        "cli",
                    )
                ]
            )
        loaders: list[jinja2.BaseLoader] = []
        if templates is not None:
            loaders.append(jinja2.FileSystemLoader(str(templates)))
        loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            bytecode_cache=_bytecode_cache(),
        )
        self.env.filters["pyrepr"] = _pyrepr
        self.env.filters["docstring"] = _docstring
        self.env.filters["wrap_comment"] = _wrap_comment
        self.env.filters["pascal"] = pascal
        self.package, self.api, self.ws = package, api, ws
        self.templates = templates
        self.memo: dict[str, Any] = {}  # work several outputs share (docs view, examples)
        self.documents = dict(documents or {})  # "openapi"/"asyncapi" -> the loaded spec (examples)
        sources = []
        if api:
            sources.append((api.spec_file, api.spec_sha256))
        if ws:
            sources.append((ws.spec_file, ws.spec_sha256))
        half = api or ws  # one ModelSet serves both halves
        carried = stand_ins(half.models.schemas) if half else {}
        self.context: Context = {
            "package": package,
            # the SDK's root exception: <x-sdk name or package>Error
            "error_base": (api.sdk_name if api else pascal(package)) + "Error",
            "api": api,
            "ws": ws,
            "generator_version": __version__,
            # model wire names msgspec cannot carry: stand-in -> wire name (runtime/_wire.py)
            "wire_names": {stand_in: wire for wire, stand_in in carried.items()},
            "header": header_for(sources),
            "toml_header": header_for(sources),
            "md_header": header_for(sources, comment="<!--").replace("\n", " -->\n") + " -->",
        }

    def render(self, worker: ModelWorker | None = None) -> dict[str, str]:
        files: dict[str, str] = {}
        models: dict[str, Callable[[], str]] = {}
        halves = [api for api in (self.api, self.ws) if api is not None]
        for api in halves:  # one ModelSet may serve both halves: rendered once
            path = f"{self.package}/{api.models.module}.py"
            if api.models.schemas and path not in models:
                users = [h for h in halves if h.models is api.models]
                header = header_for([(h.spec_file, h.spec_sha256) for h in users]) + "\n"
                code = (worker or ModelWorker(fork=False)).submit(api.models)

                def model(header: str = header, code: Callable[[], str] = code) -> str:
                    return header + code()

                models[path] = model
        for out in MANIFEST:
            if out.when(self.context):
                path = out.path.format(package=self.package)
                if out.many is not None:
                    for name, text in out.many(self, out.template).items():
                        files[path + name] = text
                elif out.build is not None:
                    files[path] = out.build(self, out.template)
                else:
                    files[path] = self.env.get_template(out.template).render(**self.context)
        for path, code in models.items():
            files[path] = code()
        return files


def _pyrepr(value: Any) -> str:
    return repr(value)


def _docstring(text: str, indent: int = 4) -> str:
    text = (text or "").replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    pad = " " * indent
    return "\n".join((pad + line).rstrip() if line.strip() else "" for line in text.splitlines())


def _wrap_comment(text: str) -> str:
    return " ".join((text or "").split())


def format_python(folder: Path) -> None:
    """Format rendered code with the pinned ruff (config from the rendered pyproject.toml)."""
    # Fix first (unused imports, import order), then format: removing an import can leave blank
    # lines that only the formatter takes out.
    fix = [
        sys.executable,
        "-m",
        "ruff",
        "check",
        "--quiet",
        "--no-cache",
        "--fix-only",
        "--select",
        "I,F401,RUF022",
        str(folder),
    ]
    subprocess.run(fix, capture_output=True, text=True, timeout=120, check=False)
    cmd = [sys.executable, "-m", "ruff", "format", "--quiet", "--no-cache", str(folder)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed on rendered code:\n{result.stderr}")


def write_atomically(files: dict[str, str], out: Path) -> None:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, text in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        format_python(staging)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "tree")
            try:
                os.rename(staging, out)
            except OSError:
                os.rename(old / "tree", out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
