"""The committed Postman collection and the spec's operations it must hold.

Used by unit/test_postman_collection.py and integration/test_postman.py.
"""

from __future__ import annotations

from typing import Any

from . import REST_SPEC, ROOT, load_yaml

COLLECTION = ROOT / "generated" / "postman" / "hotbit.postman_collection.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def spec_operations() -> list[dict[str, Any]]:
    """Every operation of the spec, read straight from the YAML (not through the generator)."""
    spec = load_yaml(REST_SPEC)
    ops = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                op = item[method]
                ops.append(
                    {
                        "path": path,
                        "method": method.upper(),
                        "name": op.get("x-method-name", op["operationId"]),
                        "tag": (op.get("tags") or ["Operations"])[0],
                        "signed": bool(op.get("x-signed")),
                        "enveloped": op.get("x-envelope", True) is not False,
                    }
                )
    return ops


OPERATIONS = spec_operations()


def requests_of(collection: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(folder["name"], item) for folder in collection["item"] for item in folder["item"]]
