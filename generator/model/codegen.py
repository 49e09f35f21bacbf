"""The one door to datamodel-code-generator: a ModelSet in, the source of a msgspec module out.

`render_models(models)` makes the schemas decodable (`decodable.py`: the policy), runs
datamodel-code-generator once, applies the named transforms of `transforms.py` to its output and
checks, without running it, that the module binds every name it uses and defines every model of
the set. Whatever fails is a `ModelError` whose `origins` locate the schemas involved.

`ModelWorker` runs `render_models` in a forked process, so datamodel-code-generator's import and
run overlap the caller's validation and template rendering.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from generator.model import transforms
from generator.model.decodable import decodable
from generator.model.enums import EnumSpec, enum_spec
from generator.model.ir import ModelSet
from generator.model.types import ORIGIN_KEY

Origin = tuple[str, str, int | None]  # file, pointer, line


class ModelError(Exception):
    """The models of a set cannot be rendered; `origins` locate the schemas involved."""

    def __init__(self, message: str, origins: list[Origin]) -> None:
        super().__init__(message)
        self.message, self.origins = message, origins

    def __reduce__(self) -> tuple[Any, ...]:  # crosses the process boundary of ModelWorker
        return (ModelError, (self.message, self.origins))


def render_models(models: ModelSet) -> str:
    """One module of msgspec Structs for the set, via datamodel-code-generator."""
    code = _datamodel_codegen(models, decodable(models.schemas))
    code = transforms.mark_array_like(code, sorted(models.positional))
    code = transforms.match_unions(transforms.hoist_aliases(transforms.keep_absent(code)))
    specs = {name: spec for name, spec in _enum_specs(models)}
    code = transforms.enum_classes(code, specs)
    code = transforms.untrack_leaves(transforms.extra_base(code))
    failures = transforms.unresolved_names(code, models.schemas)
    if failures:
        detail = "; ".join(f"{name}: {_shorten(reason)}" for name, reason in failures[:3])
        if len(failures) > 3:
            detail += f" (and {len(failures) - 3} more)"
        origins = [o for o in (_origin(models, name) for name, _ in failures) if o]
        raise ModelError(f"msgspec cannot decode the generated model(s) {detail}", origins)
    return transforms.drop_banner(code)  # last: it reads the tree the check parsed


def _enum_specs(models: ModelSet) -> list[tuple[str, EnumSpec]]:
    found = ((name, enum_spec(schema)) for name, schema in models.schemas.items())
    return [(name, spec) for name, spec in found if spec is not None]


def _origin(models: ModelSet, name: str) -> Origin | None:
    schema = models.schemas.get(name)
    origin = schema.get(ORIGIN_KEY) if isinstance(schema, dict) else None
    if isinstance(origin, (list, tuple)) and len(origin) == 3:
        return (str(origin[0]), str(origin[1]), origin[2] if isinstance(origin[2], int) else None)
    return None


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _datamodel_codegen(models: ModelSet, schemas: dict[str, Any]) -> str:
    from datamodel_code_generator import InputFileType, LiteralType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import DatetimeClassType

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
                # date-time/date/time -> datetime/date/time, uuid -> UUID (decodable.py keeps
                # only the formats msgspec decodes)
                output_datetime_class=DatetimeClassType.Datetime,
                use_standard_primitive_types=True,
                # fields are snake_case like methods and arguments; the wire name is kept
                # (`field(name="orderId")`); types.attribute() is the same rule
                snake_case_field=True,
                formatters=[],  # the whole package is formatted with ruff afterwards
                custom_file_header="",
            )
        except Exception as exc:  # noqa: BLE001 - reported as a located problem by the caller
            origins = [o for o in (_origin(models, name) for name in models.schemas) if o][:1]
            message = f"datamodel-code-generator failed: {_shorten(str(exc), 300)}"
            raise ModelError(message, origins) from None
    if not isinstance(code, str):
        raise ModelError("datamodel-code-generator returned several modules", [])
    return code


def _warm_up() -> None:
    """datamodel-code-generator imports most of itself lazily, on its first run: make that run
    happen while the parent validates."""
    warm = {"Warm": {"type": "object", "properties": {"a": {"type": "string"}}}}
    render_models(ModelSet("warm_up", schemas=warm))


class ModelWorker:
    """Renders model modules in a forked process. Same output as in-process; falls back to
    in-process where fork is unavailable, on one core, or if the worker dies."""

    def __init__(self, fork: bool = True) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if not fork or (os.cpu_count() or 1) < 2:
            return
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._pool.submit(_warm_up)
        except OSError:
            self._pool = None

    def submit(self, models: ModelSet) -> Callable[[], str]:
        """Start rendering the set; the returned function waits for the module's source."""
        if self._pool is None:
            return lambda: render_models(models)
        future: Future[str] = self._pool.submit(render_models, models)

        def result() -> str:
            try:
                return future.result()
            except BrokenProcessPool:
                return render_models(models)

        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
