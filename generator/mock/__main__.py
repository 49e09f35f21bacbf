"""`python -m generator.mock ...`: the same as `python -m generator mock ...`."""

from __future__ import annotations

import sys

from generator.cli import main

raise SystemExit(main(["mock", *sys.argv[1:]]))
