"""Stage 4: render the intermediate model into a package folder, atomically.

`Project` sets up Jinja once; a `ChoiceLoader` puts a user's template folder in front of the
built-in `templates/`, so any single template can be overridden. Models are rendered by
datamodel-code-generator, every Python file is formatted with the pinned ruff, and the result
replaces the output folder in one rename: on any failure the old folder is left as it was.

Models decode what servers send: no constraints, enums OPEN (`Literal[...] | str`: the known values
documented, an unknown one still decodes), tagged unions where the spec has a discriminator; see
the "models" section below.
"""

from __future__ import annotations

import importlib.resources
import keyword
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator import __version__, outputs, runtime
from generator.load import Document, Resolver, load_document
from generator.model.ir import ModelSet, RestApi, WsApi
from generator.naming import pascal
from generator.problems import Problem, Severity, SpecError

# The repository's top-level templates/, installed as the package `generator.templates` (setup.py).
BUILTIN_TEMPLATES = Path(str(importlib.resources.files("generator.templates")))
Context = dict[str, Any]


@dataclass(frozen=True)
class Output:
    template: str  # the Jinja template rendered with the context ("" when `build` needs none)
    path: str  # relative to the output folder; {package} is replaced
    when: Callable[[Context], bool] = lambda ctx: True
    # Outputs that are not one template rendered with the context (JSON documents, pages that need
    # the spec's examples): `build(project, template)` returns the file's text. See outputs.py.
    build: Callable[[Project, str], str] | None = None


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
    Output("package/orderbook.py.j2", "{package}/orderbook.py", _has_order_books),
    # Command line (`python -m <package>`) and the non-Python outputs (generator/outputs.py).
    Output("package/__main__.py.j2", "{package}/__main__.py", build=outputs.render_cli),
    Output("postman/prerequest.js.j2", "postman/{package}.postman_collection.json", _has_rest,
           build=outputs.postman_collection),
    Output("", "insomnia/{package}.insomnia.json", _has_rest, build=outputs.insomnia_export),
    Output("docs/reference.md.j2", "docs/reference.md", build=outputs.render_docs),
    Output("docs/index.html.j2", "docs/index.html", build=outputs.render_html),
    Output("docs/llms.txt.j2", "docs/llms.txt", build=outputs.render_docs),
    Output("docs/llms-full.txt.j2", "docs/llms-full.txt", build=outputs.render_docs),
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
    lines = [f"Generated by spec-sdk-generator {__version__}. Do not edit: change the spec and regenerate."]
    lines += [f"Source: {name} sha256:{digest}" for name, digest in docs]
    return "\n".join(f"{comment} {line}" for line in lines)


class Project:
    def __init__(self, package: str, api: RestApi | None, ws: WsApi | None, templates: Path | None = None,
                 documents: dict[str, Document] | None = None):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", package):
            raise SpecError([Problem("<command line>", None, "", f"--package {package!r} is not a valid module name", "cli")])
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
        self.context: Context = {
            "package": package,
            "api": api,
            "ws": ws,
            "generator_version": __version__,
            "header": header_for(sources),
            "toml_header": header_for(sources),
            "md_header": header_for(sources, comment="<!--").replace("\n", " -->\n") + " -->",
        }

    def render(self, worker: _ModelWorker | None = None) -> dict[str, str]:
        files: dict[str, str] = {}
        models: dict[str, Callable[[], str]] = {}
        for api in (self.api, self.ws):
            if api is not None and api.models.schemas:
                path = f"{self.package}/{api.models.module}.py"
                header = header_for([(api.spec_file, api.spec_sha256)]) + "\n"
                code = (worker or _ModelWorker.inline()).submit(api.models)

                def model(header: str = header, code: Callable[[], str] = code) -> str:
                    return header + code()

                models[path] = model
        for out in MANIFEST:
            if out.when(self.context):
                path = out.path.format(package=self.package)
                if out.build is not None:
                    files[path] = out.build(self, out.template)
                else:
                    files[path] = self.env.get_template(out.template).render(**self.context)
        for path, code in models.items():
            files[path] = code()
        return files


# -- models --------------------------------------------------------------------------------
# The schemas of a ModelSet become msgspec Structs through datamodel-code-generator, after
# `_decodable` has made them something msgspec can always decode what a server sends:
#
# * constraints (ranges, lengths, patterns...) are dropped: they are checked on arguments before
#   sending (`_checks.py`), never on what the server answers;
# * enums stay OPEN: `{enum: [a, b]}` becomes `Literal["a", "b"] | str`, which documents the known
#   values (editors and mypy show them) and still decodes a value the spec does not list, so a
#   server adding a status never breaks a client. Values a Literal cannot hold (floats, booleans,
#   mixed types) give the plain type. `const` is a one-value enum;
# * a oneOf/anyOf with a `discriminator` whose branches are objects becomes a msgspec tagged union
#   (each variant a Struct with `tag_field`/`tag`; variants built with allOf are flattened, since a
#   tag field cannot be inherited as a field); other unions msgspec cannot tell apart (several
#   object, array or string-like branches) are merged into one branch (an object with every
#   property optional, an array of any, a plain string);
# * an optional nullable property keeps "absent" (UNSET) apart from null, so models re-encode
#   exactly what they decoded.
#
# The result is checked by building a msgspec decoder for every model; if msgspec refuses a
# tagged union (a variant in two unions with different tag fields, say), the models are rendered
# again with every union untagged and merged. A model still refused is a ModelError.


class ModelError(Exception):
    """The models of a set cannot be rendered; `origins` locate the schemas involved."""

    def __init__(self, message: str, origins: list[tuple[str, str, int | None]]) -> None:
        super().__init__(message)
        self.message, self.origins = message, origins

    def __reduce__(self) -> tuple[Any, ...]:  # crosses the process boundary of _ModelWorker
        return (ModelError, (self.message, self.origins))


def _warm_up() -> None:
    """datamodel-code-generator imports most of itself lazily, on its first run: make that run
    happen while the parent validates."""
    render_models(ModelSet("warm_up", schemas={"Warm": {"type": "object", "properties": {"a": {"type": "string"}}}}))


class _ModelWorker:
    """Renders model modules in a forked process, so datamodel-code-generator's import and run
    overlap the parent's validation and template rendering. Same output as in-process; falls back
    to in-process where fork is unavailable, on one core, or if the worker dies."""

    def __init__(self) -> None:
        self._pool: Any = None
        if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._pool.submit(_warm_up)
        except OSError:
            self._pool = None

    @classmethod
    def inline(cls) -> _ModelWorker:
        worker = cls.__new__(cls)
        worker._pool = None
        return worker

    def submit(self, models: ModelSet) -> Callable[[], str]:
        if self._pool is None:
            return lambda: render_models(models)
        future = self._pool.submit(render_models, models)

        def result() -> str:
            try:
                code: str = future.result()
            except BrokenProcessPool:
                return render_models(models)
            return code

        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


ORIGIN_KEY = "x-origin"  # [file, pointer, line] on each top-level schema of a ModelSet
_RESERVED_MODEL_NAMES = frozenset({
    "Annotated", "Any", "ClassVar", "Decimal", "Enum", "Field", "IntEnum", "Literal", "Meta",
    "NoneType", "Optional", "Raw", "StrEnum", "Struct", "TypeAlias", "UNSET", "UUID", "Union",
    "UnsetType", "None", "True", "False", "NotImplemented", "Ellipsis", "List", "Dict",
})


def render_models(models: ModelSet) -> str:
    """One module of msgspec Structs for the set, via datamodel-code-generator."""
    failures: list[tuple[str, str]] = []
    for tagged in (True, False):
        schemas = _decodable(models.schemas, tagged=tagged)
        code = _run_codegen(models, schemas)
        failures = _undecodable(code, models)
        if not failures:
            return code
    names = [name for name, _ in failures]
    origins = [tuple(models.schemas[n][ORIGIN_KEY]) for n in names
               if isinstance(models.schemas.get(n), dict) and ORIGIN_KEY in models.schemas[n]]
    detail = "; ".join(f"{name}: {_shorten(reason)}" for name, reason in failures[:3])
    if len(failures) > 3:
        detail += f" (and {len(failures) - 3} more)"
    raise ModelError(f"msgspec cannot decode the generated model(s) {detail}", origins)


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _run_codegen(models: ModelSet, schemas: dict[str, Any]) -> str:
    from datamodel_code_generator import (
        InputFileType,
        LiteralType,
        PythonVersion,
        generate,
    )
    from datamodel_code_generator.enums import DataModelType

    document = {
        "openapi": models.dialect,
        "info": {"title": models.module, "version": "0"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code = generate(
                document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.MsgspecStruct,
                target_python_version=PythonVersion.PY_311,
                disable_timestamp=True,
                use_standard_collections=True,
                use_union_operator=True,
                use_double_quotes=True,
                strict_nullable=True,
                use_schema_description=True,
                use_field_description=True,
                enum_field_as_literal=LiteralType.All,
                use_msgspec_tagged_unions=True,
                formatters=[],  # the whole package is formatted with ruff afterwards
                custom_file_header="",
            )
        except Exception as exc:  # noqa: BLE001 - reported as a located problem by the caller
            origins = [tuple(s[ORIGIN_KEY]) for s in models.schemas.values()
                       if isinstance(s, dict) and ORIGIN_KEY in s][:1]
            message = f"datamodel-code-generator failed: {_shorten(str(exc), 300)}"
            raise ModelError(message, origins) from None
    if not isinstance(code, str):
        raise ModelError("datamodel-code-generator returned several modules", [])
    code = re.sub(r"\A(#.*\n)+\n*", "", code)
    for name in sorted(models.positional):
        code = re.sub(rf"^class {name}\(Struct\):", f"class {name}(Struct, array_like=True):", code, flags=re.MULTILINE)
    return _hoist_aliases(_keep_absent(code))


def _hoist_aliases(code: str) -> str:
    """Type aliases that name a later model in quotes (`X: TypeAlias = Optional["Y"]`) are run at
    import, and msgspec cannot resolve such a string: move every alias after the classes (class
    annotations are lazy, bases are never aliases), aliases in dependency order, and unquote."""
    import ast

    tree = ast.parse(code)
    defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    aliases: dict[str, tuple[int, int]] = {}  # name -> (first, last) line, docstring included
    body = tree.body
    for i, node in enumerate(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(node.annotation, ast.Name) and node.annotation.id == "TypeAlias"
                and node.value is not None):
            end = node.end_lineno or node.lineno
            following = body[i + 1] if i + 1 < len(body) else None
            if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                end = following.end_lineno or end
            aliases[node.target.id] = (node.lineno, end)
    defined |= set(aliases)
    values = {n.target.id: n.value for n in body
              if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id in aliases
              and n.value is not None}
    quoted = {name for name, value in values.items() if _quoted_names(value) & defined}
    if not quoted:
        return code

    class Unquote(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.Call:  # Meta(description="...") stays text
            return node

        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:  # Literal["Pet"] stays a value
            if isinstance(node.value, ast.Name) and node.value.id == "Literal":
                return node
            return self.generic_visit(node)

        def visit_Constant(self, node: ast.Constant) -> ast.AST:
            if isinstance(node.value, str) and node.value in defined:
                return ast.copy_location(ast.Name(node.value, ast.Load()), node)
            return node

    lines = code.split("\n")
    drop: set[int] = set()
    for first, last in aliases.values():
        drop.update(range(first - 1, last))
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str, stack: frozenset[str]) -> None:
        if name in done or name in stack:
            return
        for dep in sorted((_quoted_names(values[name]) | _plain_names(values[name])) & set(aliases)):
            visit(dep, stack | {name})
        done.add(name)
        order.append(name)

    for name in aliases:
        visit(name, frozenset())
    tail = []
    for name in order:
        first, last = aliases[name]
        value = ast.unparse(Unquote().visit(values[name]))
        docstring = lines[(values[name].end_lineno or first):last]
        tail += ["", "", f"{name}: TypeAlias = {value}", *docstring]
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept).rstrip("\n") + "\n" + "\n".join(tail) + "\n"


def _quoted_names(node: Any) -> set[str]:
    import ast

    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _plain_names(node: Any) -> set[str]:
    import ast

    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _keep_absent(code: str) -> str:
    """`x: T | None = None` (optional and nullable) -> `x: T | None | UnsetType = UNSET`, on the
    field lines of datamodel-code-generator's (unformatted, one line per field) output."""
    names = {}
    for name in ("UNSET", "UnsetType"):
        alias = re.search(rf"^from msgspec import .*\b{name} as (\w+)", code, flags=re.MULTILINE)
        names[name] = alias.group(1) if alias else name
    unset, unset_type = names["UNSET"], names["UnsetType"]
    plain = re.compile(r"^(    [^\W\d]\w*): (.+) \| None = None$")
    named = re.compile(r"^(    [^\W\d]\w*): (.+) \| None = field\((.*)default=None\)$")
    lines, in_docstring, changed = code.split("\n"), False, False
    for i, line in enumerate(lines):
        if line.strip().startswith('"""'):
            in_docstring = (line.strip() == '"""') != in_docstring
            continue
        if in_docstring:
            continue
        new = plain.sub(rf"\1: \2 | None | {unset_type} = {unset}", line)
        new = named.sub(rf"\1: \2 | None | {unset_type} = field(\3default={unset})", new)
        if new != line:
            lines[i], changed = new, True
    if not changed:
        return code
    out = "\n".join(lines)
    imports = []
    if unset_type == "UnsetType" and not re.search(r"^from msgspec import .*\bUnsetType\b(?! as)", out, re.MULTILINE):
        imports.append("from msgspec import UnsetType")
    if unset == "UNSET" and not re.search(r"^from msgspec import .*\bUNSET\b(?! as)", out, flags=re.MULTILINE):
        imports.append("from msgspec import UNSET")
    if imports:
        out = re.sub(r"^(from __future__ import annotations\n)", r"\1" + "\n".join(imports) + "\n", out, count=1,
                     flags=re.MULTILINE)
    return out


def _undecodable(code: str, models: ModelSet) -> list[tuple[str, str]]:
    """Models of the set msgspec refuses (name, reason); the module is run in a scratch namespace."""
    import importlib
    import types
    import uuid

    try:
        msgspec = importlib.import_module("msgspec")
    except ImportError:  # the SDK's runtime is not installed next to the generator: nothing to check
        return []
    name = f"_generator_models_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        try:
            exec(compile(code, f"<{models.module}>", "exec"), module.__dict__)  # noqa: S102 - our own output
        except Exception as exc:  # noqa: BLE001
            return [("<module>", f"{type(exc).__name__}: {exc}")]
        failures = []
        for model in models.schemas:
            if model not in module.__dict__:
                failures.append((model, "not defined by the generated module"))
                continue
            try:
                msgspec.json.Decoder(module.__dict__[model])
            except Exception as exc:  # noqa: BLE001
                failures.append((model, str(exc)))
        return failures
    finally:
        del sys.modules[name]


def _decodable(schemas: dict[str, Any], *, tagged: bool = True) -> dict[str, Any]:
    """Schemas msgspec can decode (see the section comment above)."""
    tolerant = {name: _tolerant({k: v for k, v in schema.items() if k != ORIGIN_KEY}
                                if isinstance(schema, dict) else schema)
                for name, schema in schemas.items()}
    tolerant = {name: _drop_dangling(schema, tolerant) for name, schema in tolerant.items()}
    tolerant = _prepare_tags(tolerant) if tagged else _strip_discriminators(tolerant)
    merged = {name: _merge_unions(schema, tolerant) for name, schema in tolerant.items()}
    return {name: _open_enums(schema) for name, schema in merged.items()}


def _drop_dangling(node: Any, schemas: dict[str, Any]) -> Any:
    """A `$ref` to no schema of the set (only on input that failed validation) means anything."""
    if isinstance(node, list):
        return [_drop_dangling(n, schemas) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None and (not isinstance(ref, str) or not ref.startswith(COMPONENT_REF)
                            or ref[len(COMPONENT_REF):] not in schemas):
        node = {k: v for k, v in node.items() if k != "$ref"}
    return {k: _drop_dangling(v, schemas) for k, v in node.items()}


COMPONENT_REF = "#/components/schemas/"


def _target(node: Any, schemas: dict[str, Any], depth: int = 0) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        node, depth = schemas.get(node["$ref"].rsplit("/", 1)[-1], {}), depth + 1
    return node


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


_STRING_FORMATS_NOT_STR = {"binary"}


def _kind(node: Any, schemas: dict[str, Any], depth: int = 0) -> str:
    """object | array | string | number | boolean | null | any: the JSON shape a branch decodes
    from (`string` covers every str-like msgspec type: str, Decimal, datetime, Literal...)."""
    node = _target(node, schemas)
    if depth > 20 or not isinstance(node, dict) or not node:
        return "any"
    types = node.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        if not non_null:
            return "null"
        types = non_null[0] if len(non_null) == 1 else None
        if types is None:
            return "any"
    if "properties" in node or types == "object" or "additionalProperties" in node:
        return "object"
    if types == "array" or "x-positional" in node:
        return "array"
    if types == "null" or node.get("enum") == [None]:
        return "null"
    if types == "string":
        return "string"
    if types in ("integer", "number"):
        return "string" if node.get("format") == "decimal" else "number"
    if types == "boolean":
        return "boolean"
    if isinstance(node.get("enum"), list):
        kinds = {"string" if isinstance(v, str) else "boolean" if isinstance(v, bool) else "number"
                 for v in node["enum"] if v is not None and not isinstance(v, (dict, list))}
        return kinds.pop() if len(kinds) == 1 else "any"
    if node.get("format") == "decimal":
        return "string"
    branches = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if isinstance(branches, list):
        kinds = {_kind(b, schemas, depth + 1) for b in branches} - {"null"}
        return kinds.pop() if len(kinds) == 1 else "any"
    return "any"


def _merge_unions(node: Any, schemas: dict[str, Any]) -> Any:
    """msgspec decodes a union only if at most one branch is an object, one an array and one
    str-like, unless it is tagged; merge such branches into one (see the section comment)."""
    if isinstance(node, list):
        return [_merge_unions(n, schemas) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _merge_unions(v, schemas) for k, v in node.items()}
    for key in ("oneOf", "anyOf"):
        branches = node.get(key)
        if not isinstance(branches, list) or not branches or "discriminator" in node:
            continue
        by_kind: dict[str, list[Any]] = {}
        for branch in branches:
            by_kind.setdefault(_kind(branch, schemas), []).append(branch)
        if not ("any" in by_kind or any(len(by_kind.get(k, ())) > 1 for k in ("object", "array", "string"))):
            continue
        merged: list[Any] = []
        for kind, group in by_kind.items():
            if kind == "any":
                merged = [{}]
                break
            if kind == "object" and len(group) > 1:
                merged.append(_merged_object(group, schemas))
            elif kind == "array" and len(group) > 1:
                merged.append({"type": "array", "items": {}})
            elif kind == "string" and len(group) > 1:
                merged.append({"type": "string"})
            else:
                merged.extend(group)
        rest = {k: v for k, v in node.items() if k != key}
        if len(merged) > 1:
            node = {**rest, key: merged}
        else:
            only = merged[0]
            node = {**rest, **({"allOf": [only]} if _ref_name(only) else only)}
    return node


def _merged_object(group: list[Any], schemas: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for branch in group:
        target = _target(branch, schemas)
        props = _flat_properties(target, schemas) if isinstance(target, dict) else {}
        for name, prop in props.items():
            if name in properties and properties[name] != prop:
                properties[name] = {}
            else:
                properties[name] = prop
    return {"type": "object", "properties": properties}


def _flat_properties(node: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Properties of an object schema with its allOf branches merged in (later wins)."""
    out: dict[str, Any] = {}
    if depth > 20:
        return out
    for branch in node.get("allOf") or []:
        target = _target(branch, schemas)
        if isinstance(target, dict):
            out.update(_flat_properties(target, schemas, depth + 1))
    props = node.get("properties")
    if isinstance(props, dict):
        out.update(props)
    return out


def _flat_required(node: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> list[str]:
    out: list[str] = []
    if depth > 20:
        return out
    for branch in node.get("allOf") or []:
        target = _target(branch, schemas)
        if isinstance(target, dict):
            out += _flat_required(target, schemas, depth + 1)
    required = node.get("required")
    if isinstance(required, list):
        out += [r for r in required if isinstance(r, str)]
    return list(dict.fromkeys(out))


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, visit)
    elif isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)


def _strip_discriminators(schemas: dict[str, Any]) -> dict[str, Any]:
    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(n) for n in node]
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "discriminator"}
        return node

    return {name: strip(schema) for name, schema in schemas.items()}


def _prepare_tags(schemas: dict[str, Any]) -> dict[str, Any]:
    """Keep a discriminator only where msgspec can tag the union: every branch a `$ref` to an
    object schema; flatten the allOf of those variants (a tag field cannot be inherited)."""
    schemas = _strip_discriminators_where(schemas, _untaggable)
    variants: set[str] = set()

    def collect(node: dict[str, Any]) -> None:
        if isinstance(node.get("discriminator"), dict):
            for branch in node.get("oneOf") or node.get("anyOf") or []:
                name = _ref_name(branch)
                if name:
                    variants.add(name)

    for schema in schemas.values():
        _walk(schema, collect)
    out = dict(schemas)
    for name in sorted(variants):
        schema = out.get(name)
        if isinstance(schema, dict) and "allOf" in schema:
            flat = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required")}
            flat["type"] = "object"
            flat["properties"] = _flat_properties(schema, schemas)
            required = _flat_required(schema, schemas)
            if required:
                flat["required"] = required
            out[name] = flat
    return out


def _untaggable(node: dict[str, Any], schemas: dict[str, Any]) -> bool:
    disc = node.get("discriminator")
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return True
    branches = node.get("oneOf") or node.get("anyOf")
    if not isinstance(branches, list) or not branches:
        return True
    names = [_ref_name(b) for b in branches]
    if any(n is None or n not in schemas for n in names):
        return True
    return any(_kind(schemas[n], schemas) != "object" for n in names if n)


def _strip_discriminators_where(
    schemas: dict[str, Any], untaggable: Callable[[dict[str, Any], dict[str, Any]], bool]
) -> dict[str, Any]:
    def strip(node: Any) -> Any:
        if isinstance(node, list):
            return [strip(n) for n in node]
        if not isinstance(node, dict):
            return node
        drop = "discriminator" in node and untaggable(node, schemas)
        return {k: strip(v) for k, v in node.items() if not (drop and k == "discriminator")}

    return {name: strip(schema) for name, schema in schemas.items()}


_CONSTRAINTS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "minProperties",
                "maxProperties", "additionalProperties", "not", "if", "then", "else", "contains",
                "minContains", "maxContains", "propertyNames", "patternProperties", "dependentSchemas",
                "dependentRequired", "dependencies", "unevaluatedProperties", "unevaluatedItems",
                "prefixItems", "contentEncoding", "contentMediaType", "contentSchema", "$defs",
                "definitions", "$id", "$schema", "$anchor", "$dynamicAnchor", "$dynamicRef", "$comment",
                "$vocabulary", "xml", "externalDocs", "example", "examples", "default"}
_SCHEMA_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}


def _tolerant(schema: Any) -> Any:
    """Models decode what servers send: drop constraints from every shape, and anything
    datamodel-code-generator or msgspec cannot use; `const` becomes a one-value enum."""
    if isinstance(schema, list):
        return [_tolerant(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _CONSTRAINTS and not (key == "additionalProperties" and not schema.get("properties")):
            continue
        if key == "properties":
            if isinstance(value, dict):
                out[key] = {str(k): _tolerant(v) if isinstance(v, dict) else {} for k, v in value.items()}
        elif key == "required":
            if isinstance(value, list) and isinstance(schema.get("properties"), dict):
                names = dict.fromkeys(r for r in value if isinstance(r, str))
                out[key] = [r for r in names if r in schema["properties"]]
                if not out[key]:
                    del out[key]
        elif key == "items":
            out[key] = _tolerant(value) if isinstance(value, dict) else {}
        elif key == "additionalProperties":
            out[key] = _tolerant(value) if isinstance(value, (dict, bool)) else True
        elif key in ("allOf", "oneOf", "anyOf"):
            if isinstance(value, list) and value:
                out[key] = [_tolerant(v) if isinstance(v, dict) else {} for v in value]
        elif key == "type":
            if isinstance(value, str) and value in _SCHEMA_TYPES:
                out[key] = value
            elif isinstance(value, list):
                kept = list(dict.fromkeys(t for t in value if isinstance(t, str) and t in _SCHEMA_TYPES))
                if kept:
                    out[key] = kept if len(kept) > 1 else kept[0]
        elif key == "enum":
            if isinstance(value, list) and value:
                out[key] = value
        elif key == "const":
            out.setdefault("enum", [value])
        elif key == "discriminator":
            if isinstance(value, dict):
                out[key] = value
        elif key == "$ref" or key in ("description", "title"):
            if isinstance(value, str):
                out[key] = value
        elif key in ("nullable", "readOnly", "writeOnly", "deprecated"):
            if isinstance(value, bool):
                out[key] = value
        elif key == "format":
            if isinstance(value, str):
                out[key] = value
        else:
            out[key] = _tolerant(value)
    if "allOf" in out and "type" not in out and ("properties" in out or any(
            isinstance(b, dict) and ("properties" in b or b.get("type") == "object") for b in out["allOf"])):
        out["type"] = "object"
    if out.get("format") == "decimal" and out.get("type") in (None, "number"):
        out["type"] = "string"  # msgspec decodes Decimal from a string or a number
    return out


def _open_enums(node: Any) -> Any:
    """`{enum: [...]}` -> `Literal[...] | <type>` (see the section comment)."""
    if isinstance(node, list):
        return [_open_enums(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: (v if k == "enum" else _open_enums(v)) for k, v in node.items()}
    if k_enum := node.get("enum"):
        return _open_enum(node, k_enum)
    return node


def _open_enum(node: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    rest = {k: v for k, v in node.items() if k not in ("enum", "type")}
    declared = node.get("type")
    declared_types = set(declared) if isinstance(declared, list) else {declared} if declared else set()
    nullable = None in values or "null" in declared_types or bool(node.get("nullable"))
    values = [v for v in values if v is not None]
    kinds = {_enum_kind(v) for v in values}
    if declared_types - {"null"}:
        kinds_declared = declared_types - {"null"}
        if len(kinds_declared) == 1 and kinds != kinds_declared:
            kinds = kinds_declared  # values that do not fit the declared type: trust the type
            values = []
    if len(kinds) != 1:
        out = dict(rest)
        if kinds <= {"integer", "number"} and kinds:
            out["type"] = "number"
        if nullable:
            out["nullable"] = True
        return out
    kind = kinds.pop()
    if kind not in ("string", "integer") or not values:
        out = {**rest, "type": kind}
        if nullable:
            out["nullable"] = True
        return out
    unique_values = list(dict.fromkeys(values))
    out = {**rest, "anyOf": [{"type": kind, "enum": unique_values}, {"type": kind}]}
    if nullable:
        out["nullable"] = True
    return out


def _enum_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


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
    fix = [sys.executable, "-m", "ruff", "check", "--quiet", "--no-cache", "--fix-only", "--select", "I,F401,RUF022", str(folder)]
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


def load_and_check(path: str, lenient: bool, expect: str | None = None) -> tuple[Document, Resolver, list[Problem]]:
    """Load and validate one document. Problems that make it unusable (not a supported document,
    or not the `expect`ed kind) are errors even when `lenient`; the others are warnings then."""
    from generator.validate import detect_kind, validate_document

    doc = load_document(path)
    kind = detect_kind(doc)
    if isinstance(kind, Problem):
        raise SpecError([kind])
    if expect is not None and kind.family != expect:
        option = "--openapi" if kind.family == "openapi" else "--asyncapi"
        raise SpecError([doc.problem("", f"this is an {'OpenAPI' if kind.family == 'openapi' else 'AsyncAPI'} "
                                         f"document, not {'an OpenAPI' if expect == 'openapi' else 'an AsyncAPI'} "
                                         f"one: pass it with {option}", "kind")])
    problems = validate_document(doc, lenient=lenient, policy=False)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise SpecError(errors)
    return doc, Resolver(doc), problems


def generate(*, openapi: str | None, asyncapi: str | None, out: Path, package: str,
             lenient: bool = False, templates: str | None = None) -> list[Problem]:
    """Load, validate, model and render; returns the warnings. Raises SpecError on bad input.

    Nothing but a SpecError leaves this function for any input: an unexpected failure while
    modelling or rendering is reported as a problem located in the spec it came from (set
    GENERATOR_DEBUG=1 to get the exception instead). The output folder is replaced only once
    everything rendered (see write_atomically)."""
    from generator.model.openapi import build_rest_api

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
        raise SpecError([Problem("<command line>", None, "", f"--package {package!r} is not a valid module name "
                                 "(lower-case letters, digits and underscores)", "cli")])
    warnings_: list[Problem] = []
    api = ws = None
    documents: dict[str, Document] = {}
    current: Document | None = None
    worker = _ModelWorker()
    try:
        if openapi:
            doc, resolver, problems = load_and_check(openapi, lenient, "openapi")
            documents["openapi"] = current = doc
            api, model_warnings = build_rest_api(doc, resolver, package, lenient=lenient)
            warnings_ += problems + model_warnings
        if asyncapi:
            from generator.model.asyncapi import build_ws_api

            doc, resolver, problems = load_and_check(asyncapi, lenient, "asyncapi")
            documents["asyncapi"] = current = doc
            ws = build_ws_api(doc, resolver, package)
            warnings_ += problems + ws.warnings
        project = Project(package, api, ws, Path(templates) if templates else None, documents)
        current = documents.get("openapi") or current
        files = project.render(worker)
        write_atomically(files, out)
    except SpecError:
        raise
    except ModelError as exc:
        raise SpecError(_model_problems(exc, current)) from None
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise SpecError([Problem(str(templates or BUILTIN_TEMPLATES), None, "",
                                 f"template error{where}: {exc}", "render")]) from None
    except RecursionError:
        raise SpecError([_internal(current, openapi or asyncapi, "the document nests too deeply")]) from None
    except OSError as exc:
        raise SpecError([Problem(str(out), None, "", f"cannot write the output folder: {exc}", "render")]) from None
    except Exception as exc:  # any input: a located problem, never a traceback
        if os.environ.get("GENERATOR_DEBUG"):
            raise  # developers: see where it failed
        raise SpecError([_internal(current, openapi or asyncapi, f"{type(exc).__name__}: {exc}")]) from None
    finally:
        worker.close()
    return warnings_


def _model_problems(exc: ModelError, doc: Document | None) -> list[Problem]:
    if exc.origins:
        return [Problem(file, line, pointer, exc.message, "render") for file, pointer, line in exc.origins[:3]]
    return [_internal(doc, None, exc.message)]


def _internal(doc: Document | None, path: str | None, message: str) -> Problem:
    """A failure we did not foresee, located at the document it happened on."""
    text = f"cannot generate from this document: {message.splitlines()[0] if message else 'unknown error'}"
    if doc is not None:
        return doc.problem("", text, "generator")
    return Problem(str(path or "<input>"), None, "", text, "generator")
