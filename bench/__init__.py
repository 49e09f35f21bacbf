"""Benchmarks of the generator and the generated SDK: `python -m bench` (see bench/README.md)."""
