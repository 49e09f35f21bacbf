"""One call per operation through a generated client, against the generic mock (generator/mock/).

`call_every_operation(generated)` runs, in a fresh interpreter with the package on `sys.path`: the
REST mock of its spec on a loopback port; a `Client` pointed at it with a credential for every
constructor parameter; then every operation of the spec, with each required argument synthesised
from its schema (the mock's own synthesiser) and converted to the argument's annotation. It
returns, per operation, "ok" or why the call failed; and, per answer, whether the mock's body is
valid against the operation's response schema.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from . import ROOT
from .corpus import PYTHON, Generated

_SCRIPT = r"""
import inspect, json, sys, typing
import msgspec
from generator.load import Resolver, load_document
from generator.mock.rest import RestMock
from generator.model.openapi import build_rest_model

package, spec = sys.argv[1], sys.argv[2]
pkg = __import__(package)
mock = RestMock(spec)
doc, resolver = mock.spec.doc, mock.spec.resolver
model = build_rest_model(doc, resolver, package, lenient=True)
report = {"operations": {}, "invalid_answers": {}, "mock_operations": len(mock.spec.operations)}
with mock:
    init = inspect.signature(pkg.Client.__init__).parameters
    credentials = {
        name: "credential-" + name for name, p in init.items()
        if name not in ("self", "base_url", "timeout", "headers", "http_client")
        and p.default is None
    }
    with pkg.Client(base_url=mock.url, **credentials) as client:
        for op in model.api.operations:
            method = getattr(client, op.py_name)
            hints = typing.get_type_hints(method)
            needed = {
                name for name, p in inspect.signature(method).parameters.items()
                if p.default is inspect.Parameter.empty
            }
            kwargs = {}
            try:
                for p in op.params:
                    if p.py_name in needed:
                        value = mock.spec.synth.value(p.schema, doc, "")
                        try:
                            value = msgspec.convert(value, hints[p.py_name], strict=False)
                        except TypeError:  # a union msgspec cannot convert to (str | Decimal)
                            pass  # as synthesised: the SDK's own checks judge it
                        kwargs[p.py_name] = value
                method(**kwargs)
                outcome = "ok"
            except Exception as exc:
                outcome = f"{type(exc).__name__}: {exc}"[:300]
            report["operations"][op.operation_id] = outcome
    for op_id, spec_op in mock.spec.operations.items():
        if spec_op.response_schema is not None:
            schema, sdoc, pointer = spec_op.response_schema
            if not mock.spec.synth.valid(mock.spec.answer(spec_op), schema, sdoc, pointer):
                report["invalid_answers"][op_id] = mock.spec.answer(spec_op)
print(json.dumps(report, default=str))
"""


def call_every_operation(generated: Generated, timeout: float = 300) -> dict[str, Any]:
    """See the module docstring; raises AssertionError if the script itself fails."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated.out), str(ROOT)])}
    proc = subprocess.run(
        [PYTHON, "-c", _SCRIPT, generated.package, str(generated.spec)],
        cwd=generated.out, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{generated.package}: {proc.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def failures(report: dict[str, Any]) -> dict[str, str]:
    return {op: outcome for op, outcome in report["operations"].items() if outcome != "ok"}


__all__ = ["call_every_operation", "failures"]
