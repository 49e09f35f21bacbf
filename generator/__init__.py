"""Spec-driven SDK generator: load -> validate -> model -> render."""

__version__ = "0.1.0"
