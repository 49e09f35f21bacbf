"""Scale: a 1 MB spec (bench/synth_spec.py, also the benchmark's) generates and imports.

Here, not in the offline layers, for its time (about a minute and a half on two cores);
unit/test_edge_cases.py checks the same on a 200 KB spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.corpus import large_spec_generates_and_imports


@pytest.mark.timeout(600)
def test_a_one_megabyte_spec_generates_and_imports(tmp_path: Path) -> None:
    large_spec_generates_and_imports(tmp_path, resources=220, min_size=900_000)
