"""The non-Python outputs: Postman collection, Insomnia export, reference docs, the SDK's CLI tables.

Each `build` here is the `build` of an `Output` in `render.MANIFEST`: it gets the project
(intermediate model, Jinja environment, loaded documents; see `common.Project`) and the output's
template name, and returns the file's text.

    common.py     the `Project` protocol the builds read, ids, grouping, wire values, descriptions
    samples.py    curl / Python / CLI request samples and the signing rule in words
    postman.py    Postman v2.1 collection (signing pre-request script, per-request tests)
    signer.py     the JavaScript x-signature signer shared by the API tools' scripts
    insomnia.py   Insomnia v4 export and v5 YAML collection
    docs.py       the docs view, reference.md / llms*.txt / sections/*.md and index.html
    fields.py     schema tables: a JSON schema flattened into one row per (nested) field
    cli.py        the command tables of the SDK's `python -m <package>`
    examples.py   the spec's examples per operation and method (and made-up arguments)
    markdown.py   Markdown to HTML for index.html (markdown-it-py, Pygments)

Postman and Insomnia are JSON, so they are built as Python dicts and serialised
deterministically (`json.dumps(indent=2, ensure_ascii=False)`, insertion order, ids derived from
a hash of the operation ids, no timestamps). Nothing here knows an exchange: names, URLs,
parameters, examples and signing rules all come from the model and the spec documents. Nothing
here imports `generator.render` (the renderer imports the outputs).
"""

from __future__ import annotations

from generator.outputs.cli import CliArg, CliCommand, cli_commands, render_cli
from generator.outputs.common import Project
from generator.outputs.docs import (
    DocsView,
    docs_view,
    render_docs,
    render_html,
    render_pages,
    schema_type,
)
from generator.outputs.insomnia import insomnia_export, insomnia_v5
from generator.outputs.postman import postman_collection
from generator.outputs.samples import cli_words, signature_rule
from generator.outputs.signer import signer_script, signing_config

__all__ = [
    "CliArg",
    "CliCommand",
    "DocsView",
    "Project",
    "cli_commands",
    "cli_words",
    "docs_view",
    "insomnia_export",
    "insomnia_v5",
    "postman_collection",
    "render_cli",
    "render_docs",
    "render_html",
    "render_pages",
    "schema_type",
    "signature_rule",
    "signer_script",
    "signing_config",
]
