"""The edge specs of tests/fixtures/edge/, one per awkward corner of OpenAPI.

Used by the `edge` fixture (tests/conftest.py), unit/test_edge_cases.py and sdk/test_edge_sdk.py.
"""

from __future__ import annotations

from . import ROOT

EDGE = ROOT / "tests" / "fixtures" / "edge"
EDGE_SPECS = [
    EDGE / "composition.yaml",
    EDGE / "types31.yaml",
    EDGE / "enums.yaml",
    EDGE / "names.yaml",
    EDGE / "params.yaml",
    EDGE / "auth.yaml",
    EDGE / "multifile" / "root.yaml",
]
IDS = [p.relative_to(EDGE).as_posix() for p in EDGE_SPECS]
