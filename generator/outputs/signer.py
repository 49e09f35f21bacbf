"""The JavaScript signer shared by the API-tool outputs (Postman, Insomnia pre-request scripts).

`templates/js/signer.js` implements the x-signature schemes of generator/runtime/_signing.py in
plain JavaScript (`signRequest`, `cryptoJsProvider`); `signer_script()` is its text, to embed in
a tool's script before that tool's adapter. `signing_config(api)` is the data the adapter needs:
the signature object in the spec's shape, the variables holding the keys, and the signed
operations (method, path pattern, where their parameters travel).
"""

from __future__ import annotations

import importlib.resources
import re
from typing import Any

import jinja2

from generator.model.ir import RestApi
from generator.outputs.common import VAR_API_KEY, VAR_SECRET_KEY, signed_location

VAR_PASSPHRASE = "passphrase"
SIGNER_JS = "js/signer.js"  # under the templates (a project's own templates may replace it)


def path_pattern(path: str) -> str:
    """JS regex source matching the request path (Postman `:name` or `{name}` segments)."""
    parts = re.split(r"\{[^}]+\}", path.strip("/"))
    return "(^|/)" + "[^/]+".join(re.escape(p) for p in parts) + "$"


def signer_script(env: jinja2.Environment | None = None) -> str:
    """The shared signer's JavaScript (functions only: it signs nothing by itself), from the
    templates `env` loads, else from the built-in ones. Not rendered: it is plain JS."""
    if env is not None and env.loader is not None:
        return env.loader.get_source(env, SIGNER_JS)[0]
    builtin = importlib.resources.files("generator.templates").joinpath(SIGNER_JS)
    return builtin.read_text(encoding="utf-8")


def signing_config(api: RestApi) -> dict[str, Any] | None:
    """What a pre-request script needs to sign requests, from the spec's x-signature."""
    sig = api.signature
    if sig is None:
        return None
    variables = {"apiKey": VAR_API_KEY, "secretKey": VAR_SECRET_KEY}
    if sig.needs_passphrase:
        variables["passphrase"] = VAR_PASSPHRASE
    return {
        "signature": sig.to_mapping(),
        "variables": variables,
        "operations": [
            {
                "name": op.method_name,
                "method": op.http_method,
                "path": op.path,
                "pattern": path_pattern(op.path),
                "in": signed_location(op),
            }
            for op in api.operations
            if op.signed
        ],
    }
