"""Which packages the wheel holds (the rest of the metadata is in pyproject.toml).

Every `generator*` package is found automatically, and the top-level `templates/` folder ships as
the `generator.templates` package: pyproject.toml alone cannot combine package discovery with
mapping one package to another folder.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["generator", "generator.*"]), "generator.templates"],
    package_dir={"generator.templates": "templates"},
)
