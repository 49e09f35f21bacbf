"""The built-in Jinja templates, shipped in the installed generator as `generator.templates`.

Not imported for code: this file makes the folder a package so that `pip install .` maps it to
`generator.templates` (see setup.py) and the generator finds it with importlib.resources.
"""
